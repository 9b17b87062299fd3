namespace MiDpg.Research.Training.Experiments;

/// <summary>
/// A run would resume from a record that is not the same training: another seed, other hyperparameters, other data or other
/// settings (<see cref="RunFingerprint.DifferencesFrom"/>). The message names the record, says what differs and how to go on;
/// the record is left as it is. An <see cref="InvalidOperationException"/> for callers that caught the earlier refusals.
/// </summary>
public sealed class ResumeConflictException(string message) : InvalidOperationException(message);
