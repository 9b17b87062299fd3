namespace MiDpg.Research.Training;

/// <summary>
/// Group AUC (Zhou et al. 2018, Deep Interest Network): <see cref="Value"/> = Σ_g n_g AUC_g / Σ_g n_g over the
/// <see cref="GroupsUsed"/> groups holding both classes; <see cref="GroupsSkipped"/> groups had a single class;
/// <see cref="Impressions"/> = Σ_g n_g over the used groups. <see cref="Value"/> is NaN when no group qualifies.
/// </summary>
public sealed record GaucResult(double Value, int GroupsUsed, int GroupsSkipped, long Impressions);
