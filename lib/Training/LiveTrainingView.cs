using System.Diagnostics;
using System.Net;
using System.Text;
using MiDpg.Research.Plotting;

namespace MiDpg.Research.Training;

/// <summary>
/// Training progress for notebooks: an HTML view (a progress line and a live chart of the per-epoch
/// training loss and validation AUC) handed to <paramref name="update"/>, which a notebook wires to
/// .NET Interactive's updatable display (<c>display(...).Update(...)</c>, see notebooks/midpg.csx).
/// Step updates are throttled to <paramref name="minInterval"/>.
/// </summary>
public sealed class LiveTrainingView(Action<string> update, TimeSpan? minInterval = null) : ITrainingReporter
{
    readonly TimeSpan _interval = minInterval ?? TimeSpan.FromSeconds(0.5);
    readonly Stopwatch _clock = new();
    readonly List<EpochRecord> _epochs = [];
    string _model = "", _line = "", _chart = "";
    int _maxEpochs;

    public void OnStart(string model, int maxEpochs, int stepsPerEpoch)
    {
        (_model, _maxEpochs) = (model, maxEpochs);
        _epochs.Clear();
        _clock.Restart();
        _line = $"{model}: starting ({stepsPerEpoch} steps per epoch, at most {maxEpochs} epochs)";
        Render();
    }

    public void OnStep(StepProgress p)
    {
        if (_clock.Elapsed < _interval && p.Step != p.StepsPerEpoch) return;
        _clock.Restart();
        _line = $"{_model}: epoch {p.Epoch}/{_maxEpochs}, step {p.Step}/{p.StepsPerEpoch} ({100.0 * p.Step / p.StepsPerEpoch:F0}%), " +
                string.Join(", ", p.Terms.Select(t => $"{t.Key} {t.Value:F4}"));
        Render();
    }

    public void OnEpoch(EpochRecord record, bool improved)
    {
        _epochs.Add(record);
        _line = $"{_model}: epoch {record.Epoch} done, valid AUC {record.ValidAuc:F4}{(improved ? " (best so far)" : "")}";
        var x = _epochs.Select(e => (double)e.Epoch).ToArray();
        var chart = Charts.Stacked($"{_model}: training", "epoch", x,
            ("train loss", _epochs.Select(e => e.TrainLoss).ToArray()),
            ("valid AUC", _epochs.Select(e => e.ValidAuc).ToArray()));
        _chart = Plotly.NET.GenericChart.toChartHTML(chart);
        Render();
    }

    public void OnEnd(TrainingResult result)
    {
        _line = $"{result.Model}: best valid AUC {result.BestValidAuc:F4} at epoch {result.BestEpoch}; {result.StopReason}; {result.Seconds:F1} s";
        Render();
    }

    void Render()
    {
        var html = new StringBuilder("<div><p><code>").Append(WebUtility.HtmlEncode(_line)).Append("</code></p>").Append(_chart).Append("</div>");
        update(html.ToString());
    }
}
