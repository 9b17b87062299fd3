namespace MiDpg.Research.Analysis;

/// <summary>KL(P ‖ Q) at one reported iteration (computed with the un-exaggerated P; Barnes-Hut uses the tree's estimate of Z).</summary>
public sealed record TsneProgress(int Iteration, double KlDivergence, bool Exaggerated);
