namespace MiDpg.Research.Data;

/// <summary>
/// One dataset of the Scenario-Wise-Rec benchmark (Li et al., "Scenario-Wise Rec: A Multi-Scenario Recommendation
/// Benchmark", 2024, https://github.com/Xiaopengli1/Scenario-Wise-Rec) as this library names it: the command-line name,
/// the committed schema file that declares it as the benchmark does (label, scenarios, features, split) over a shipped
/// sample or fixture, and the file names the benchmark's preprocessed CSV goes by. <see cref="ScenarioWiseRec"/> holds the
/// six and loads them; data/README.md ("Benchmark datasets") says where each full file comes from and its terms.
/// </summary>
public sealed record BenchmarkDataset
{
    /// <summary>The name in <c>--data NAME[:PATH]</c>, e.g. <c>movielens</c>.</summary>
    public required string CliName { get; init; }
    /// <summary>The dataset's name in results and reports when the full file is loaded, e.g. <c>movielens-1m</c>.</summary>
    public required string Name { get; init; }
    /// <summary>The benchmark's name of the dataset, e.g. "MovieLens-1M".</summary>
    public required string Title { get; init; }
    /// <summary>The schema file in <c>data/schemas/</c> that declares the dataset (over its sample or fixture).</summary>
    public required string SchemaFileName { get; init; }
    /// <summary>
    /// The names the benchmark's preprocessed file goes by, looked for in this order when a folder is given (the full
    /// file's name first, then the name the benchmark's run script reads). For a dataset split in files, the train file's names.
    /// </summary>
    public required IReadOnlyList<string> FileNames { get; init; }
    /// <summary>True when the benchmark ships train, val and test files (Ali-CCP): the split follows the files.</summary>
    public bool SplitInFiles { get; init; }
    /// <summary>True when the committed file is a real sample of the data, false when it is our hand-written fixture.</summary>
    public required bool SampleIsReal { get; init; }
    /// <summary>The scenario definition as published, in one line.</summary>
    public required string Scenarios { get; init; }

    /// <summary>The schema file's path, <c>data/schemas/NAME.json</c>.</summary>
    public string SchemaPath => Path.Combine(Platform.RepositoryPaths.Data, "schemas", SchemaFileName);

    public override string ToString() => $"{Title} ({CliName})";
}
