using MiDpg.Research.Data;
using MiDpg.Research.Models;
using Microsoft.Data.Analysis;
using static TorchSharp.torch;

namespace MiDpg.Research.Training;

/// <summary>Overall and per-scenario AUC and LogLoss of a model on a dataset.</summary>
public sealed record EvaluationResult(double Auc, double LogLoss, int Rows, IReadOnlyList<ScenarioMetrics> Scenarios)
{
    /// <summary>Per-scenario rows plus an "all" row.</summary>
    public DataFrame ToDataFrame() => ScenarioMetrics.ToDataFrame(Scenarios);
}

/// <summary>Prediction and evaluation in inference mode (no autograd bookkeeping) and evaluation mode (running statistics, no dropout).</summary>
public static class Evaluation
{
    /// <summary>Predicted conversion probabilities for every row of <paramref name="data"/>, in row order.</summary>
    public static float[] Predict(ScenarioModel model, EncodedDataset data, int batchSize = 8192, Device? device = null)
    {
        var result = new float[data.Rows];
        if (data.Rows == 0) return result;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            var iterator = new BatchIterator(data, new BatchOptions { BatchSize = Math.Min(batchSize, data.Rows), Shuffle = false, Device = device ?? model.Device });
            using var _ = inference_mode();
            int offset = 0;
            foreach (var batch in iterator.Epoch())
            {
                using var scope = NewDisposeScope();
                using (batch)
                {
                    var p = model.forward(ModelData.Input(batch)).sigmoid().to(float32).cpu();
                    p.data<float>().CopyTo(result.AsSpan(offset, batch.Size));
                    offset += batch.Size;
                }
            }
        }
        finally
        {
            if (wasTraining) model.train();
        }
        return result;
    }

    /// <summary>AUC and LogLoss overall and per scenario.</summary>
    public static EvaluationResult Evaluate(ScenarioModel model, EncodedDataset data, int batchSize = 8192, Device? device = null)
    {
        var p = Predict(model, data, batchSize, device);
        return FromPredictions(p, data);
    }

    /// <summary>Metrics of given predictions against the dataset's labels.</summary>
    public static EvaluationResult FromPredictions(float[] probabilities, EncodedDataset data) => new(
        Metrics.AucOrNaN(probabilities, data.Labels),
        Metrics.LogLoss(probabilities, data.Labels),
        data.Rows,
        Metrics.PerScenario(probabilities, data.Labels, data.Scenario, data.ScenarioNames));
}
