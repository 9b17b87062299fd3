using System.Net;
using System.Reflection;
using System.Text;

namespace MiDpg.Research.Plotting;

/// <summary>
/// HTML tables for Deedle frames, so a notebook shows them as tables (Microsoft.Data.Analysis
/// DataFrames bring their own notebook formatter; Deedle does not).
/// </summary>
public static class TableHtml
{
    /// <summary>Renders any <c>Deedle.Frame&lt;R, C&gt;</c> (first <paramref name="maxRows"/> rows) as an HTML table.</summary>
    public static string FromDeedle(object frame, int maxRows = 25)
    {
        var type = frame.GetType();
        while (type is not null && !(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Deedle.Frame<,>)))
            type = type.BaseType;
        if (type is null) throw new ArgumentException($"Expected a Deedle frame, got {frame.GetType()}.", nameof(frame));
        var method = typeof(TableHtml).GetMethod(nameof(Render), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type.GetGenericArguments());
        return (string)method.Invoke(null, [frame, maxRows])!;
    }

    static string Render<TRow, TColumn>(Deedle.Frame<TRow, TColumn> frame, int maxRows)
    {
        var html = new StringBuilder("<table><thead><tr><th></th>");
        var columns = frame.ColumnKeys.ToList();
        foreach (var c in columns) html.Append("<th>").Append(WebUtility.HtmlEncode(c?.ToString())).Append("</th>");
        html.Append("</tr></thead><tbody>");
        int shown = 0;
        foreach (var row in frame.RowKeys)
        {
            if (shown++ == maxRows) break;
            html.Append("<tr><td><b>").Append(WebUtility.HtmlEncode(row?.ToString())).Append("</b></td>");
            foreach (var c in columns)
            {
                var value = frame.GetColumn<object>(c).TryGet(row);
                html.Append("<td>").Append(value.HasValue ? WebUtility.HtmlEncode(Format(value.Value)) : "<i>n/a</i>").Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        if (frame.RowCount > maxRows) html.Append($"<p>({frame.RowCount} rows, {maxRows} shown)</p>");
        return html.ToString();
    }

    static string Format(object value) => value switch
    {
        double d => d.ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
