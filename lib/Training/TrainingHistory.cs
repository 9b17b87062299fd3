using Microsoft.Data.Analysis;

namespace MiDpg.Research.Training;

/// <summary>What one epoch of training measured.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean total loss over the epoch's steps.</param>
/// <param name="Terms">Mean of each loss term over the epoch (bce, total, and model-specific terms such as mi).</param>
/// <param name="ValidAuc">Validation AUC after the epoch.</param>
/// <param name="ValidLogLoss">Validation LogLoss after the epoch.</param>
/// <param name="Seconds">Wall time of the epoch's training steps (evaluation excluded).</param>
/// <param name="SamplesPerSecond">Training samples per second.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, IReadOnlyDictionary<string, double> Terms,
    double ValidAuc, double ValidLogLoss, double Seconds, double SamplesPerSecond);

/// <summary>Per-epoch history of a training run.</summary>
public sealed class TrainingHistory
{
    readonly List<EpochRecord> _epochs = [];
    public IReadOnlyList<EpochRecord> Epochs => _epochs;
    internal void Add(EpochRecord record) => _epochs.Add(record);

    /// <summary>One row per epoch: epoch, train_loss, one column per loss term, valid_auc, valid_logloss, seconds, samples_per_s.</summary>
    public DataFrame ToDataFrame()
    {
        var terms = _epochs.SelectMany(e => e.Terms.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var columns = new List<DataFrameColumn>
        {
            new Int32DataFrameColumn("epoch", _epochs.Select(e => e.Epoch)),
            new DoubleDataFrameColumn("train_loss", _epochs.Select(e => e.TrainLoss)),
        };
        foreach (var t in terms)
            columns.Add(new DoubleDataFrameColumn("train_" + t, _epochs.Select(e => e.Terms.TryGetValue(t, out var v) ? v : double.NaN)));
        columns.Add(new DoubleDataFrameColumn("valid_auc", _epochs.Select(e => e.ValidAuc)));
        columns.Add(new DoubleDataFrameColumn("valid_logloss", _epochs.Select(e => e.ValidLogLoss)));
        columns.Add(new DoubleDataFrameColumn("seconds", _epochs.Select(e => e.Seconds)));
        columns.Add(new DoubleDataFrameColumn("samples_per_s", _epochs.Select(e => e.SamplesPerSecond)));
        return new DataFrame(columns);
    }
}
