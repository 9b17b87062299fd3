namespace MiDpg.Research.Data;

/// <summary>
/// Levenshtein distance (insertions, deletions and substitutions, each costing 1), for "did you mean" hints on misspelled
/// names: schema keys, command-line options.
/// </summary>
public static class EditDistance
{
    public static int Between(string a, string b, bool ignoreCase = false)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                bool same = ignoreCase ? char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) : a[i - 1] == b[j - 1];
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (same ? 0 : 1));
            }
        return d[a.Length, b.Length];
    }
}
