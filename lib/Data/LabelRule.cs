using System.Globalization;

namespace MiDpg.Research.Data;

/// <summary>
/// How a label column becomes the binary conversion label y. <see cref="Binary"/> accepts only 0 and 1
/// (also "0.0"/"1.0", "true"/"false"); <see cref="AtLeast"/> and <see cref="Above"/> binarise a rating
/// (a finite number: "Infinity", "1e999" or "NaN" are errors); <see cref="OneOf"/> makes y = 1 for a set of
/// positive values (e.g. the event "purchase") and y = 0 for any other non-empty value.
/// Any other value is an error naming file, line and column: a label is never guessed.
/// </summary>
public sealed record LabelRule
{
    public enum RuleKind { Binary, AtLeast, Above, PositiveValues }

    public RuleKind Kind { get; }
    public double Threshold { get; }
    /// <summary>The values that mean y = 1 under <see cref="RuleKind.PositiveValues"/> (compared exactly, after trimming); empty otherwise.</summary>
    public IReadOnlyList<string> Positives { get; }
    /// <summary>Under a threshold rule, the smallest and largest acceptable value (<see cref="WithRange"/>); a value outside is an error.</summary>
    public double? Minimum { get; }
    public double? Maximum { get; }

    LabelRule(RuleKind kind, double threshold, IReadOnlyList<string>? positives = null, double? minimum = null, double? maximum = null)
    {
        if (double.IsNaN(threshold) || double.IsInfinity(threshold))
            throw new ArgumentException($"Threshold must be a finite number; got {threshold}.", nameof(threshold));
        Kind = kind;
        Threshold = threshold;
        Positives = positives ?? [];
        Minimum = minimum;
        Maximum = maximum;
    }

    /// <summary>
    /// The same threshold rule, accepting only values in [<paramref name="minimum"/>, <paramref name="maximum"/>]: a rating
    /// scale's bounds, so that a -7 or a 70 in a 1-5 rating column stops the reading with its line instead of becoming a label.
    /// </summary>
    public LabelRule WithRange(double minimum, double maximum)
    {
        if (Kind is not (RuleKind.AtLeast or RuleKind.Above))
            throw new ArgumentException($"A range belongs to the threshold rules (atLeast, above), not to {Kind}.", nameof(minimum));
        if (!double.IsFinite(minimum) || !double.IsFinite(maximum) || minimum > maximum)
            throw new ArgumentException($"The range must be two finite numbers, minimum <= maximum; got [{minimum}, {maximum}].", nameof(minimum));
        return new(Kind, Threshold, null, minimum, maximum);
    }

    /// <summary>The column already holds 0/1.</summary>
    public static LabelRule Binary { get; } = new(RuleKind.Binary, 0.5);
    /// <summary>y = 1 when value &gt;= threshold (Amazon: rating &gt;= 4).</summary>
    public static LabelRule AtLeast(double threshold) => new(RuleKind.AtLeast, threshold);
    /// <summary>y = 1 when value &gt; threshold (Amazon option: rating &gt; 3).</summary>
    public static LabelRule Above(double threshold) => new(RuleKind.Above, threshold);

    /// <summary>y = 1 when the value is one of <paramref name="positives"/> (exact match after trimming), else 0; an empty value is an error.</summary>
    public static LabelRule OneOf(params IEnumerable<string> positives)
    {
        ArgumentNullException.ThrowIfNull(positives);
        var list = positives.Select(p => p?.Trim() ?? throw new ArgumentException("A positive label value cannot be null.", nameof(positives)))
            .Distinct(StringComparer.Ordinal).ToArray();
        if (list.Length == 0) throw new ArgumentException("The positive-values rule needs at least one positive value.", nameof(positives));
        if (list.Any(p => p.Length == 0)) throw new ArgumentException("An empty string cannot be a positive label value (an empty label is missing).", nameof(positives));
        return new(RuleKind.PositiveValues, 0.5, list);
    }

    public bool Equals(LabelRule? other) =>
        other is not null && Kind == other.Kind && Threshold == other.Threshold && Minimum == other.Minimum && Maximum == other.Maximum
        && Positives.SequenceEqual(other.Positives, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Kind, Threshold, Positives.Count);

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
        if (Kind == RuleKind.PositiveValues)
        {
            if (text.IsEmpty) { problem = "the label is empty."; return null; }
            foreach (var p in Positives) if (text.SequenceEqual(p)) return 1f;
            return 0f;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || double.IsNaN(v))
        {
            problem = text.IsEmpty ? "the label is empty." : $"the label '{text}' is not a number.";
            return null;
        }
        if (!double.IsFinite(v))
        {
            problem = $"the label '{text}' is not a finite number (it reads as {(v > 0 ? "+" : "-")}infinity).";
            return null;
        }
        if (v < Minimum || v > Maximum)
        {
            problem = $"the label '{text}' is outside the declared range [{Minimum!.Value.ToString(CultureInfo.InvariantCulture)}, {Maximum!.Value.ToString(CultureInfo.InvariantCulture)}].";
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

    public override string ToString() => Describe() + (Minimum is double lo && Maximum is double hi
        ? $" (values in [{lo.ToString(CultureInfo.InvariantCulture)}, {hi.ToString(CultureInfo.InvariantCulture)}])" : "");

    string Describe() => Kind switch
    {
        RuleKind.Binary => "binary 0/1",
        RuleKind.AtLeast => $"value >= {Threshold.ToString(CultureInfo.InvariantCulture)}",
        RuleKind.PositiveValues => $"value in {{{string.Join(", ", Positives.Select(p => $"'{p}'"))}}}",
        _ => $"value > {Threshold.ToString(CultureInfo.InvariantCulture)}",
    };
}
