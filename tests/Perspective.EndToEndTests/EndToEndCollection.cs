namespace Perspective.EndToEndTests;

/// <summary>Every end-to-end test shares one real host process; the tests in it run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<HostProcess>
{
    public const string Name = "Real host";
}
