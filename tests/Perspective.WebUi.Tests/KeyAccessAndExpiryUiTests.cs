using Bunit;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Perspective.Keys.V1;
using Perspective.WebUi.Pages;

namespace Perspective.WebUi.Tests;

/// <summary>Choosing a new key's access and expiry, and how keys show theirs.</summary>
public sealed class KeyAccessAndExpiryUiTests : SettingsTestContext
{
    private static readonly DateTimeOffset Now = FixedClock.Now;

    [Fact]
    public void A_new_key_is_read_only_unless_read_and_write_is_chosen()
    {
        var page = RenderMcpPage();

        Assert.True(page.Find("input[name=key-access][value=ReadOnly]").HasAttribute("checked"));
        FillAndSubmit(page, "Reader");
        CloseReveal(page);
        Choose(page, "key-access", "ReadWrite");
        FillAndSubmit(page, "Writer");

        Assert.Equal([McpKeyAccess.ReadOnly, McpKeyAccess.ReadWrite], Keys.Created.Select(r => r.Access));
    }

    [Theory]
    [InlineData(null, 30)]
    [InlineData("SevenDays", 7)]
    [InlineData("ThirtyDays", 30)]
    [InlineData("NinetyDays", 90)]
    [InlineData("OneYear", 365)]
    public void A_preset_asks_for_that_many_days_from_now(string? preset, int days)
    {
        var page = RenderMcpPage();

        if (preset is not null)
        {
            Choose(page, "key-expiry", preset);
        }

        FillAndSubmit(page, "Claude Desktop");

        Assert.Equal(Timestamp.FromDateTimeOffset(Now.AddDays(days)), Keys.Created.Single().ExpireTime);
    }

    [Fact]
    public void No_expiry_sends_no_expire_time()
    {
        var page = RenderMcpPage();

        Choose(page, "key-expiry", "Never");
        FillAndSubmit(page, "Forever");

        Assert.Null(Keys.Created.Single().ExpireTime);
    }

    [Fact]
    public void A_chosen_date_means_the_end_of_that_day_in_the_browsers_time_zone()
    {
        var page = RenderMcpPage();

        Assert.Empty(page.FindAll("#key-expiry-date"));
        Choose(page, "key-expiry", "Date");
        FillAndSubmit(page, "Until a date");
        Assert.Contains("Choose the day the key expires.", page.Find("#key-expiry-error").TextContent);
        Assert.Empty(Keys.Created);

        page.Find("#key-expiry-date").Change("2026-06-20");
        page.Find("form").Submit();

        // 23:59:59 at UTC+2 is 21:59:59 UTC.
        Assert.Equal(Timestamp.FromDateTime(new DateTime(2026, 6, 20, 21, 59, 59, DateTimeKind.Utc)), Keys.Created.Single().ExpireTime);
    }

    [Fact]
    public void A_longest_lifetime_hides_longer_presets_and_no_expiry_and_bounds_the_date()
    {
        Keys.Policy = new GetMcpKeyPolicyResponse { MaxLifetime = Duration.FromTimeSpan(TimeSpan.FromDays(30)) };
        var page = RenderMcpPage();

        Assert.Equal(["SevenDays", "ThirtyDays", "Date"], page.FindAll("input[name=key-expiry]").Select(r => r.GetAttribute("value")));
        Assert.DoesNotContain("No expiry", page.Markup);
        Assert.Contains("Keys on this platform expire within 30 days.", page.Find("#key-expiry-hint").TextContent);
        Assert.True(page.Find("input[name=key-expiry][value=ThirtyDays]").HasAttribute("checked"));
        Choose(page, "key-expiry", "Date");
        // The end of 2026-07-01 (UTC+2) lies past now + 30 days (12:00 that day, local), so the last day is the 30th.
        Assert.Equal("2026-06-30", page.Find("#key-expiry-date").GetAttribute("max"));
        Assert.Equal("2026-06-01", page.Find("#key-expiry-date").GetAttribute("min"));
    }

    [Fact]
    public void A_preset_as_long_as_the_limit_stays_inside_it_even_if_the_browser_clock_runs_ahead()
    {
        Keys.Policy = new GetMcpKeyPolicyResponse { MaxLifetime = Duration.FromTimeSpan(TimeSpan.FromDays(30)) };
        var page = RenderMcpPage();

        FillAndSubmit(page, "At the limit");

        var expires = Keys.Created.Single().ExpireTime.ToDateTimeOffset();
        Assert.InRange(expires, Now.AddDays(30).AddMinutes(-10), Now.AddDays(30).AddSeconds(-1));
    }

    [Fact]
    public void A_limit_shorter_than_every_preset_leaves_the_date_chosen()
    {
        Keys.Policy = new GetMcpKeyPolicyResponse { MaxLifetime = Duration.FromTimeSpan(TimeSpan.FromDays(3)) };
        var page = RenderMcpPage();

        Assert.Equal(["Date"], page.FindAll("input[name=key-expiry]").Select(r => r.GetAttribute("value")));
        Assert.Equal("2026-06-03", page.Find("#key-expiry-date").GetAttribute("max"));
        Assert.Contains("within 3 days", page.Markup);
    }

    [Theory]
    [InlineData("access", "#key-access-error")]
    [InlineData("expire_time", "#key-expiry-error")]
    public void A_service_error_about_access_or_expiry_appears_under_that_field(string field, string where)
    {
        Keys.OnCreate = _ => Calls.Failing<CreateMcpKeyResponse>(Calls.FieldError(StatusCode.InvalidArgument, field, $"The service says no to {field}."));
        var page = RenderMcpPage();

        FillAndSubmit(page, "Refused");

        page.WaitForAssertion(() => Assert.Equal($"The service says no to {field}.", page.Find(where).TextContent.Trim()));
        Assert.Empty(page.FindAll("form [role=alert]"));
    }

    [Fact]
    public void Cards_show_access_expiry_and_who_last_used_the_key_from_where()
    {
        AddKey("Reader", McpKeyAccess.ReadOnly, Now.AddDays(3), lastUsed: (Now.AddMinutes(-5), "claude-code", "203.0.113.7"));
        AddKey("Writer", McpKeyAccess.ReadWrite, expires: null);
        AddKey("Soon", McpKeyAccess.ReadOnly, Now.AddHours(5));
        AddKey("Later", McpKeyAccess.ReadOnly, new DateTimeOffset(2027, 1, 31, 23, 0, 0, TimeSpan.Zero));

        var page = RenderMcpPage();

        var reader = page.Find("article[aria-label='Key Reader']").TextContent;
        Assert.Contains("Read only", reader);
        Assert.Contains("Expires in 3 days", reader);
        Assert.Contains("by claude-code from 203.0.113.7", reader);
        var writer = page.Find("article[aria-label='Key Writer']").TextContent;
        Assert.Contains("Read & write", writer);
        Assert.Contains("Never expires", writer);
        Assert.DoesNotContain(" by ", writer);
        Assert.Contains("Expires in 5 hours", page.Find("article[aria-label='Key Soon']").TextContent);
        Assert.Contains("Expires on 2027-02-01 (UTC+02:00)", page.Find("article[aria-label='Key Later']").TextContent);
        Assert.Empty(page.FindAll(".badge.expired"));
    }

    [Fact]
    public void An_expired_key_says_so_by_the_services_word_and_what_to_do()
    {
        // Still in the future by the browser's clock: the service's "expired" decides.
        AddKey("Old laptop", McpKeyAccess.ReadWrite, Now.AddMinutes(1), expired: true);

        var page = RenderMcpPage();

        var card = page.Find("article[aria-label='Key Old laptop']");
        Assert.Equal("Expired", card.QuerySelector(".badge.expired")!.TextContent);
        Assert.Contains("Create a new key and delete this one.", card.TextContent);
    }

    [Fact]
    public void The_legacy_token_shows_its_access_and_who_last_used_it_from_where()
    {
        Keys.Legacy = new LegacyToken
        {
            MaskedToken = "…9fQz", CreateTime = Timestamp.FromDateTimeOffset(Now.AddYears(-1)),
            LastUsedTime = Timestamp.FromDateTimeOffset(Now.AddHours(-2)), LastUsedClient = "node", LastUsedAddress = "198.51.100.4",
        };

        var legacy = RenderMcpPage().Find("section[aria-labelledby=legacy-heading]").TextContent;

        Assert.Contains("Read & write · never expires", legacy);
        Assert.Contains("by node from 198.51.100.4", legacy);
    }

    [Fact]
    public void The_reveal_dialog_names_the_new_keys_access_and_expiry()
    {
        var page = RenderMcpPage();

        FillAndSubmit(page, "Claude Desktop");

        var dialog = page.WaitForElement("[role=dialog]").TextContent;
        Assert.Contains("Read only · Expires in 30 days", dialog);
    }

    private void AddKey(
        string name, McpKeyAccess access, DateTimeOffset? expires, bool expired = false,
        (DateTimeOffset Time, string Client, string Address)? lastUsed = null) =>
        Keys.Keys.Add(new McpKey
        {
            Id = name, Name = name, MaskedToken = "pmk_…abcd", Access = access, Expired = expired,
            ExpireTime = expires is { } time ? Timestamp.FromDateTimeOffset(time) : null,
            CreateTime = Timestamp.FromDateTimeOffset(Now.AddDays(-10)),
            LastUsedTime = lastUsed is { } use ? Timestamp.FromDateTimeOffset(use.Time) : null,
            LastUsedClient = lastUsed?.Client ?? "", LastUsedAddress = lastUsed?.Address ?? "",
        });

    private static void CloseReveal(IRenderedComponent<McpSettings> page)
    {
        page.Find("[role=dialog] button[aria-label='Copy token']").Click();
        page.FindAll("button").Single(b => b.TextContent == "I have copied the token").Click();
    }
}
