using MiDpg.Research.Data;
using MiDpg.Research.Models;

namespace MiDpg.Research.Training;

/// <summary>Adapts the data layer's types to what the models see.</summary>
public static class ModelData
{
    /// <summary>The model-side description of a dataset's fields.</summary>
    public static FeatureSpec Features(EncodedDataset data) => new(
        data.Fields.Select(f => new FieldSpec(f.Name, f.VocabularySize, f.Role == FieldRole.ScenarioAware)).ToList(),
        data.NumericCount,
        data.ScenarioCount);

    /// <summary>A batch as model input (the tensors are shared, not copied).</summary>
    public static ModelInput Input(Batch batch) =>
        new(batch.Categorical, batch.NumericCount() > 0 ? batch.Numeric : null, batch.Scenario);

    static long NumericCount(this Batch batch) => batch.Numeric.shape.Length == 2 ? batch.Numeric.shape[1] : 0;
}
