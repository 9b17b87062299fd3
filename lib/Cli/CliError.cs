namespace MiDpg.Research.Cli;

/// <summary>A user error on the command line: printed as one line, exit code 2.</summary>
public sealed class CliError(string message) : Exception(message);

/// <summary>The user interrupted a run (Ctrl+C); the message says what was kept and how to resume. Exit code 130.</summary>
sealed class Interrupted(string message) : Exception(message);
