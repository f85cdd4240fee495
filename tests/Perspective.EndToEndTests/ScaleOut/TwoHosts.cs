using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Perspective.Admin.V1;

namespace Perspective.EndToEndTests.ScaleOut;

/// <summary>
/// Two real host processes on one fresh PostgreSQL database, started at the same moment (so both
/// race to migrate and seed it), as two instances behind a load balancer.
/// </summary>
public sealed class TwoHosts : IAsyncLifetime
{
    public const string AdminClientId = "scale-out-admin";
    private const string AdminClientSecret = "scale-out-admin-secret-for-the-suite";

    private readonly string database = ScaleOutCluster.NewDatabase("two_hosts");
    private readonly Dictionary<string, string> settings;
    private HostProcess? b;

    public TwoHosts()
    {
        settings = new Dictionary<string, string>
        {
            ["Admin__ClientId"] = AdminClientId,
            ["Admin__ClientSecret"] = AdminClientSecret,

            // The probes send hundreds of refused requests from one address; the throttle would turn them into 429s.
            ["Mcp__FailedAuthentication__Limit"] = "100000",
        };
        A = HostProcess.OnPostgres(database, settings);
    }

    public HostProcess A { get; }

    public HostProcess B => b ?? throw new InvalidOperationException("Host B is made once host A has started.");

    public async Task InitializeAsync()
    {
        await A.InitializeAsync();

        // Behind a load balancer every host is configured with the one public address; here that is A's,
        // known for certain once A has started (a first start may move to other ports).
        b = HostProcess.OnPostgres(database, new Dictionary<string, string>(settings) { ["Platform__PublicBaseUrl"] = A.BaseUrl });
        await b.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        if (b is not null)
        {
            await b.DisposeAsync();
        }
    }

    /// <summary>The admin service of <paramref name="host"/>, with a client-credentials token from that host.</summary>
    public async Task<AdminService.AdminServiceClient> AdminAsync(HostProcess host)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{host.BaseUrl}/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = AdminClientId,
            ["client_secret"] = AdminClientSecret,
            ["scope"] = "admin",
        }));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        var token = body.GetProperty("access_token").GetString()!;
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return Task.CompletedTask;
        });
        return new AdminService.AdminServiceClient(GrpcChannel.ForAddress(host.GrpcUrl, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
        }));
    }
}
