namespace Perspective.Activity.Recording;

/// <summary>A credential whose activity is kept: its kind (<see cref="Storage.CredentialKinds"/>) and id.</summary>
public readonly record struct ActivityCredential(string Kind, string Id);
