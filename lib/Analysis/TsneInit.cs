namespace MiDpg.Research.Analysis;

/// <summary>How the t-SNE embedding is initialised.</summary>
public enum TsneInit
{
    /// <summary>Isotropic Gaussian with standard deviation 1e-4 (van der Maaten's reference implementation).</summary>
    Random,
    /// <summary>First two principal components, rescaled so the first has standard deviation 1e-4 (as in scikit-learn / openTSNE).</summary>
    Pca,
}
