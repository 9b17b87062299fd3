using MiDpg.Research.Models;
using MiDpg.Research.Training.Experiments;

namespace MiDpg.Research.Cli;

/// <summary>Builds models by name for the commands, turning an unknown name into a command-line error.</summary>
static class CliModels
{
    public static ModelFactory Factory => ModelFactories.Registry;

    public static ScenarioModel Create(string name, FeatureSpec features, ModelSettings settings)
    {
        try { return Factory(name, features, settings, null); }
        catch (ArgumentException e) { throw new CliError(e.Message); }
    }
}
