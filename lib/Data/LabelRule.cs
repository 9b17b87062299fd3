using System.Globalization;

namespace MiDpg.Research.Data;

/// <summary>
/// How a label column becomes the binary conversion label y. <see cref="Binary"/> accepts only 0 and 1
/// (also "0.0"/"1.0", "true"/"false"); <see cref="AtLeast"/> and <see cref="Above"/> binarise a rating.
/// Any other value is an error naming file, line and column: a label is never guessed.
/// </summary>
public sealed record LabelRule
{
    public enum RuleKind { Binary, AtLeast, Above }

    public RuleKind Kind { get; }
    public double Threshold { get; }

    LabelRule(RuleKind kind, double threshold)
    {
        if (double.IsNaN(threshold) || double.IsInfinity(threshold))
            throw new ArgumentException($"Threshold must be a finite number; got {threshold}.", nameof(threshold));
        Kind = kind;
        Threshold = threshold;
    }

    /// <summary>The column already holds 0/1.</summary>
    public static LabelRule Binary { get; } = new(RuleKind.Binary, 0.5);
    /// <summary>y = 1 when value &gt;= threshold (Amazon: rating &gt;= 4).</summary>
    public static LabelRule AtLeast(double threshold) => new(RuleKind.AtLeast, threshold);
    /// <summary>y = 1 when value &gt; threshold (Amazon option: rating &gt; 3).</summary>
    public static LabelRule Above(double threshold) => new(RuleKind.Above, threshold);

    /// <summary>The label for <paramref name="text"/>, or null with a reason when the value is not acceptable.</summary>
    public float? Apply(ReadOnlySpan<char> text, out string? problem)
    {
        problem = null;
        if (text.Length == 1 && Kind == RuleKind.Binary)
        {
            if (text[0] == '0') return 0f;
            if (text[0] == '1') return 1f;
        }
        text = text.Trim();
        if (Kind == RuleKind.Binary)
        {
            if (text.Equals("true", StringComparison.OrdinalIgnoreCase)) return 1f;
            if (text.Equals("false", StringComparison.OrdinalIgnoreCase)) return 0f;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || double.IsNaN(v))
        {
            problem = text.IsEmpty ? "the label is empty." : $"the label '{text}' is not a number.";
            return null;
        }
        switch (Kind)
        {
            case RuleKind.Binary:
                if (v == 0) return 0f;
                if (v == 1) return 1f;
                problem = $"the label '{text}' is not binary: rule Binary accepts only 0 and 1.";
                return null;
            case RuleKind.AtLeast: return v >= Threshold ? 1f : 0f;
            default: return v > Threshold ? 1f : 0f;
        }
    }

    public override string ToString() => Kind switch
    {
        RuleKind.Binary => "binary 0/1",
        RuleKind.AtLeast => $"value >= {Threshold.ToString(CultureInfo.InvariantCulture)}",
        _ => $"value > {Threshold.ToString(CultureInfo.InvariantCulture)}",
    };
}
