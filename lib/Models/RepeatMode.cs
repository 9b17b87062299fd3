// The repeat function psi of MI-DPG (paper eq. 3; MODELS.md "DPG"): it repeats the d_r x d_c core
// d_m/d_r times along rows and d_n/d_c times along columns to give S in R^{d_m x d_n}.
using static TorchSharp.torch;

namespace MiDpg.Research.Models;

/// <summary>How psi lays the d_r x d_c core out over d_m x d_n.</summary>
public enum RepeatMode
{
    /// <summary>Default. S[i, j] = A[i mod d_r, j mod d_c] (the core is tiled).</summary>
    Tile,

    /// <summary>S[i, j] = A[i div (d_m/d_r), j div (d_n/d_c)] (each core entry becomes a constant block).</summary>
    Block,
}

/// <summary>psi itself, materialised. Only the naive path and the inspection API use it.</summary>
public static class Repeat
{
    /// <summary>psi(A) for a batch of cores A [B, d_r, d_c]: returns S [B, d_m, d_n].</summary>
    public static Tensor Psi(Tensor core, int dm, int dn, RepeatMode mode)
    {
        var dr = (int)core.shape[1];
        var dc = (int)core.shape[2];
        if (dm % dr != 0 || dn % dc != 0)
            throw new ArgumentException($"psi needs d_r | d_m and d_c | d_n; got d_r = {dr}, d_m = {dm}, d_c = {dc}, d_n = {dn}");
        return mode switch
        {
            RepeatMode.Tile => core.repeat(1, dm / dr, dn / dc),
            RepeatMode.Block => core.repeat_interleave(dm / dr, dim: 1).repeat_interleave(dn / dc, dim: 2),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };
    }

    /// <summary>Row of the core that feeds row <paramref name="i"/> of S.</summary>
    public static int CoreRow(int i, int dm, int dr, RepeatMode mode) => mode == RepeatMode.Tile ? i % dr : i / (dm / dr);

    /// <summary>Column of the core that feeds column <paramref name="j"/> of S.</summary>
    public static int CoreColumn(int j, int dn, int dc, RepeatMode mode) => mode == RepeatMode.Tile ? j % dc : j / (dn / dc);
}
