namespace MiDpg.Research.Data;

/// <summary>
/// The six datasets of the Scenario-Wise-Rec benchmark (Li et al. 2024, https://github.com/Xiaopengli1/Scenario-Wise-Rec,
/// MIT) as named loaders of its preprocessed CSV files. Each is declared once, in a committed schema file in
/// <c>data/schemas/</c> (format: data/README.md, "Schema files"), exactly as the benchmark's
/// <c>scripts/run_*_multi_domain.py</c> reads it: label, scenario definition (<see cref="ScenarioValues"/>), sparse and
/// dense features, split. That schema file names the committed sample (Ali-CCP, Douban: real) or hand-written fixture
/// (MovieLens-1M, KuaiRand-1K, Amazon 5-core, MIND: the benchmark's exact layout, not real data); given a path, the same
/// declaration reads the full file instead (<see cref="SchemaFile.WithFiles"/>). This class only finds the files.
/// </summary>
public static class ScenarioWiseRec
{
    /// <summary>MovieLens-1M: scenarios = three groups of the age code, label rating &gt; 3.</summary>
    public static BenchmarkDataset MovieLens1M { get; } = new()
    {
        CliName = "movielens", Name = "movielens-1m", Title = "MovieLens-1M", SchemaFileName = "movielens-1m.json",
        FileNames = ["ml-1m.csv"], SampleIsReal = false,
        Scenarios = "age groups: age code 1 or 18 (under 25), 25 (25-34), 35, 45, 50 or 56 (35 and over); label rating > 3",
    };

    /// <summary>KuaiRand-1K: scenarios = the tab values 0, 1, 2, 4, 6; rows of other tabs are left out (counted).</summary>
    public static BenchmarkDataset KuaiRand1K { get; } = new()
    {
        CliName = "kuairand", Name = "kuairand-1k", Title = "KuaiRand-1K", SchemaFileName = "kuairand-1k.json",
        FileNames = ["kuairand.csv", "kuairand_sample.csv"], SampleIsReal = false,
        Scenarios = "tab in {0, 1, 2, 4, 6} (5 scenarios; rows of other tabs are skipped and counted, as the benchmark filters them); label is_click",
    };

    /// <summary>Ali-CCP: scenarios = feature 301 (values 1, 2, 3); three files that are the split.</summary>
    public static BenchmarkDataset AliCcp { get; } = new()
    {
        CliName = "ali-ccp", Name = "ali-ccp", Title = "Ali-CCP", SchemaFileName = "ali-ccp.json",
        FileNames = ["ali_ccp_train.csv", "ali_ccp_train_sample.csv"], SplitInFiles = true, SampleIsReal = true,
        Scenarios = "feature 301 (values 1, 2, 3); label click; split = the train/val/test files",
    };

    /// <summary>Amazon 5-core: scenarios = the three review categories Beauty, Clothing, Health.</summary>
    public static BenchmarkDataset Amazon5Core { get; } = new()
    {
        CliName = "amazon5", Name = "amazon-5core", Title = "Amazon 5-core (Beauty, Clothing, Health)", SchemaFileName = "amazon-5core.json",
        FileNames = ["amazon.csv"], SampleIsReal = false,
        Scenarios = "domain_indicator 0 = Beauty, 1 = Clothing, Shoes and Jewelry, 2 = Health and Personal Care; label = overall > 3",
    };

    /// <summary>Douban: scenarios = domain (book, music, movie).</summary>
    public static BenchmarkDataset Douban { get; } = new()
    {
        CliName = "douban", Name = "douban-benchmark", Title = "Douban", SchemaFileName = "douban-benchmark.json",
        FileNames = ["douban.csv", "douban_sample.csv"], SampleIsReal = true,
        Scenarios = "domain: book, music, movie; label rating (already 0/1: raw rating > 3)",
    };

    /// <summary>MIND: scenarios = news category (news, lifestyle, sports, finance).</summary>
    public static BenchmarkDataset Mind { get; } = new()
    {
        CliName = "mind", Name = "mind", Title = "MIND", SchemaFileName = "mind.json",
        FileNames = ["mind_all.csv", "mind_sample.csv"], SampleIsReal = false,
        Scenarios = "news Category: news, lifestyle, sports, finance; label = clicked",
    };

    /// <summary>The six, in the benchmark's order.</summary>
    public static IReadOnlyList<BenchmarkDataset> All { get; } = [MovieLens1M, KuaiRand1K, AliCcp, Amazon5Core, Douban, Mind];

    /// <summary>The dataset with command-line name <paramref name="cliName"/> (case-insensitive), or null.</summary>
    public static BenchmarkDataset? Find(string cliName) =>
        All.FirstOrDefault(d => string.Equals(d.CliName, cliName, StringComparison.OrdinalIgnoreCase));

    /// <summary>The committed declaration over the committed sample or fixture (<see cref="BenchmarkDataset.SampleIsReal"/> says which).</summary>
    public static SchemaFile Sample(BenchmarkDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return SchemaFile.Read(dataset.SchemaPath);
    }

    /// <summary>
    /// The declaration over the benchmark's preprocessed file at <paramref name="path"/>: the file itself, or a folder
    /// holding it under one of <see cref="BenchmarkDataset.FileNames"/>. For Ali-CCP the train file (or the folder):
    /// the val and test files are found beside it by name (<c>..._train...</c> -> <c>..._val...</c>, <c>..._test...</c>).
    /// A missing file is a <see cref="FileNotFoundException"/> naming it; a missing column is found by <see cref="SchemaFile.Load"/>.
    /// </summary>
    public static SchemaFile Schema(BenchmarkDataset dataset, string path) =>
        Sample(dataset).WithFiles(dataset.Name, Files(dataset, path));

    /// <summary>Loads the full file at <paramref name="path"/>, or the committed sample or fixture when it is null.</summary>
    public static LoadedDataset Load(BenchmarkDataset dataset, string? path = null) =>
        (path is null ? Sample(dataset) : Schema(dataset, path)).Load();

    /// <summary>The data files at <paramref name="path"/> (see <see cref="Schema"/>).</summary>
    public static IReadOnlyList<DataFile> Files(BenchmarkDataset dataset, string path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string names = string.Join(" or ", dataset.FileNames);
        string where = "see data/README.md, \"Benchmark datasets\", for where to get it";
        string file;
        if (Directory.Exists(path))
        {
            file = dataset.FileNames.Select(n => Path.Combine(path, n)).FirstOrDefault(File.Exists)
                ?? throw new FileNotFoundException($"{dataset.Title}: the folder '{path}' holds no {names}; name the file itself, or put it there ({where}).", Path.Combine(path, dataset.FileNames[0]));
        }
        else if (File.Exists(path)) file = path;
        else throw new FileNotFoundException($"{dataset.Title}: the data file '{path}' does not exist; it should be the benchmark's preprocessed {names} ({where}).", path);
        if (!dataset.SplitInFiles) return [new DataFile(file, ',')];

        var name = Path.GetFileName(file);
        int at = name.LastIndexOf("train", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
            throw new ArgumentException($"{dataset.Title} comes as three files that are the split (train, val, test); give the train file ({names}) or the folder holding the three, not '{file}'.");
        string Sibling(string part)
        {
            var sibling = Path.Combine(Path.GetDirectoryName(file) ?? "", name[..at] + part + name[(at + "train".Length)..]);
            if (!File.Exists(sibling))
                throw new FileNotFoundException($"{dataset.Title}: the train file '{file}' has no {(part == "val" ? "validation" : "test")} file beside it: '{sibling}' does not exist (the benchmark's split is the three files train, val, test side by side; {where}).", sibling);
            return sibling;
        }
        return [new DataFile(file, ',', SplitPart.Train), new DataFile(Sibling("val"), ',', SplitPart.Valid), new DataFile(Sibling("test"), ',', SplitPart.Test)];
    }
}
