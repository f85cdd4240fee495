namespace Perspective.Platform.Hosting;

/// <summary>
/// Files and folders that hold secrets (the database, the key-encryption certificate) are readable
/// by the host's user only: mode 0600 for files, 0700 for folders. Windows has no such modes; there
/// the folder's ACL decides.
/// </summary>
public static class OwnerOnlyFiles
{
    public const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the folder (and missing parents) with mode 0700; an existing folder is left as it is.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, DirectoryPermissions);
        }
    }

    /// <summary>Creates an empty file with mode 0600 unless it exists.</summary>
    public static void CreateEmptyFile(string path)
    {
        try
        {
            using var _ = new FileStream(path, Options(FileMode.CreateNew));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Already there: created earlier, or by another host starting at the same moment.
        }
    }

    /// <summary>Writes a new file with mode 0600; fails if it exists.</summary>
    public static void WriteNewFile(string path, string contents)
    {
        using var stream = new FileStream(path, Options(FileMode.CreateNew));
        using var writer = new StreamWriter(stream);
        writer.Write(contents);
    }

    /// <summary>Sets mode 0600 on the file if it exists (files created by earlier versions were world-readable).</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path) && File.GetUnixFileMode(path) != FilePermissions)
        {
            File.SetUnixFileMode(path, FilePermissions);
        }
    }

    private static FileStreamOptions Options(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FilePermissions;
        }

        return options;
    }
}
