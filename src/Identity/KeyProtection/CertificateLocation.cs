namespace Perspective.Identity.KeyProtection;

/// <summary>
/// Where one key-encryption certificate is configured: each value with the name of its setting, so a
/// certificate the host cannot use is reported naming the setting to fix.
/// </summary>
/// <param name="Path">A PEM certificate (with its key, unless <paramref name="KeyPath"/> names it) or a PKCS#12 (PFX) file.</param>
/// <param name="KeyPath">The PEM private key of a PEM certificate kept apart from it.</param>
/// <param name="Password">The PFX password, or the password of an encrypted PEM private key.</param>
public sealed record CertificateLocation(
    string PathSetting, string? Path,
    string KeyPathSetting, string? KeyPath,
    string PasswordSetting, string? Password);
