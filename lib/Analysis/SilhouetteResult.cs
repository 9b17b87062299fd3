namespace MiDpg.Research.Analysis;

/// <summary>Mean silhouette, its mean per label (NaN for an empty label), label sizes and the per-point coefficients.</summary>
public sealed record SilhouetteResult(double Mean, double[] PerLabel, int[] Counts, double[] PerPoint);
