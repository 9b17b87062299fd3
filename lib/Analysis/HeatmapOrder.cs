namespace MiDpg.Research.Analysis;

/// <summary>
/// How several similarity heatmaps of the same scenarios are ordered. Each in its own clustering order shows each
/// matrix's blocks best; one shared order (the first heatmap's, or the generator's true similarity's) lets a reader
/// compare the same cell across heatmaps.
/// </summary>
public enum HeatmapOrder
{
    /// <summary>Each heatmap in the leaf order of its own hierarchical clustering.</summary>
    Own,
    /// <summary>Every heatmap in the first heatmap's clustering order.</summary>
    First,
    /// <summary>Every heatmap in the clustering order of the generator's true similarity (synthetic data only).</summary>
    Truth,
}

public static class HeatmapOrdering
{
    /// <summary>Parses "own", "first" or "truth" (any case), naming the choices when the text is none of them.</summary>
    public static HeatmapOrder Parse(string text) =>
        Enum.TryParse<HeatmapOrder>(text, ignoreCase: true, out var order) && Enum.IsDefined(order)
            ? order
            : throw new ArgumentException($"Unknown heatmap order '{text}': use own, first or truth.", nameof(text));

    /// <summary>The order to draw a heatmap in: its own, the first heatmap's, or the truth's.</summary>
    /// <exception cref="ArgumentException"><see cref="HeatmapOrder.Truth"/> without a true order (real data).</exception>
    public static int[] Choose(HeatmapOrder mode, int[] own, int[] first, int[]? truth) => mode switch
    {
        HeatmapOrder.Own => own,
        HeatmapOrder.First => first,
        HeatmapOrder.Truth => truth ?? throw new ArgumentException(
            "The true order exists only on synthetic data (its generator's similarity); use 'own' or 'first' for real data.", nameof(truth)),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Words for a title: which order the heatmap is drawn in.</summary>
    public static string Describe(this HeatmapOrder mode, bool isFirst = false) => mode switch
    {
        HeatmapOrder.Own => "ordered by its own clustering",
        HeatmapOrder.First => isFirst ? "ordered by its clustering" : "in the first heatmap's order",
        _ => "in the true similarity's clustering order",
    };
}
