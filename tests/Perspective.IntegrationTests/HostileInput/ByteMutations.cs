namespace Perspective.IntegrationTests.HostileInput;

/// <summary>Byte-level mutations of a valid request body, for the fuzz tests: replace, cut, duplicate, insert.</summary>
public static class ByteMutations
{
    /// <summary>One edit: what to do (0 replace, 1 cut a run, 2 duplicate a run, else insert), where, and which byte.</summary>
    public static byte[] Apply(byte[] body, (int Kind, int Position, byte Byte)[] edits)
    {
        var bytes = body.ToList();
        foreach (var (kind, position, value) in edits)
        {
            var at = bytes.Count == 0 ? 0 : position % bytes.Count;
            switch (kind)
            {
                case 0 when bytes.Count > 0: bytes[at] = value; break;
                case 1: bytes.RemoveRange(at, Math.Min(1 + position % 16, bytes.Count - at)); break;
                case 2: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(24, bytes.Count - at))); break;
                default: bytes.Insert(at, value); break;
            }
        }

        return [.. bytes];
    }
}
