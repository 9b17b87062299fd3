namespace MiDpg.Research.Analysis;

/// <summary>Which gradient t-SNE uses.</summary>
public enum TsneMethod
{
    /// <summary>Exact for N ≤ <see cref="TsneConfig.AutoExactMaxN"/>, Barnes-Hut above.</summary>
    Auto,
    /// <summary>Exact O(N²) gradient with dense P and Q (tensors).</summary>
    Exact,
    /// <summary>Barnes-Hut approximation (van der Maaten 2014): sparse P on the 3·perplexity nearest neighbours, quadtree repulsion.</summary>
    BarnesHut,
}
