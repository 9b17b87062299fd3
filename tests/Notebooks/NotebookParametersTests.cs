using MiDpg.Research.Notebooks;

namespace MiDpg.Research.Tests.Notebooks;

/// <summary>The parameters cell of every notebook (papermill's "parameters" tag) and the injection of overrides.</summary>
public class NotebookParametersTests
{
    [Fact]
    public void EveryNotebookHasATaggedParametersCellDeclaringQuick()
    {
        foreach (var notebook in NotebookRunner.All())
        {
            var cell = NotebookParameters.Cell(notebook);
            Assert.StartsWith("// Parameters", cell);
            Assert.Contains(NotebookParameters.Declared(notebook), p => p is { Type: "bool", Name: "quick" });
        }
        var setup = NotebookRunner.All().Single(n => Path.GetFileName(n).StartsWith("00"));
        Assert.Equal([new NotebookParameter("bool", "quick"), new NotebookParameter("int", "points")], NotebookParameters.Declared(setup));
        var table1 = NotebookRunner.All().Single(n => Path.GetFileName(n).StartsWith("07"));
        Assert.Contains(new NotebookParameter("string[]", "datasets"), NotebookParameters.Declared(table1));
        Assert.Contains(new NotebookParameter("int[]", "seeds"), NotebookParameters.Declared(table1));
    }

    [Fact]
    public void OverridesAreCheckedAgainstTheDeclaredNames()
    {
        var setup = NotebookRunner.All().Single(n => Path.GetFileName(n).StartsWith("00"));
        Assert.Equal("// Injected parameters (notebooks --param), overriding the parameters cell above\npoints = 7;",
            NotebookParameters.Injection(setup, ["points=7"]));
        var unknown = Assert.Throws<ArgumentException>(() => NotebookParameters.Injection(setup, ["epochs=3"]));
        Assert.Contains("00-setup.ipynb has no parameter 'epochs'; its parameters: quick, points", unknown.Message);
        Assert.Throws<ArgumentException>(() => NotebookParameters.Injection(setup, ["points"]));
        Assert.Throws<ArgumentException>(() => NotebookParameters.Injection(setup, ["1x=2"]));
        var untagged = Path.Combine(Directory.CreateTempSubdirectory("midpg-nb-").FullName, "plain.ipynb");
        File.WriteAllText(untagged, """{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": ["int n = 1;"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}""");
        Assert.Contains("no code cell is tagged 'parameters'", Assert.Throws<InvalidDataException>(() => NotebookParameters.Declared(untagged)).Message);
    }
}
