/* svg_chart.c — grouped horizontal bar charts as SVG text: title, legend, one labelled row per group, a value
 * axis with round ticks and grid lines. Sizes come from the label lengths, since SVG cannot measure text. */
#include "cli/svg_chart.h"

#include <math.h>
#include <string.h>

/* A sans-serif 12 px glyph averages about 7 px; overestimating only leaves a margin. */
#define CHAR_W 7.0
#define BAR_H 14.0
#define GROUP_GAP 10.0
#define PLOT_W 520.0

/* Enough colours for the devices of one report; they repeat after that (the legend still tells them apart
 * by order). Chosen to stay distinct for the common colour-vision deficiencies. */
static const char *const palette[] = {"#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb",
                                      "#000000"};

static void put_escaped(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            /* control characters are not allowed in XML 1.0 text at all */
            if ((unsigned char)*s >= 0x20 || *s == '\t') fputc(*s, f);
        }
    }
}

static int has_value(double v) { return v >= 0 && isfinite(v); }

/* Three significant figures without an exponent: what the Markdown tables print too. */
void svg_format_value(char *out, size_t size, double v) {
    if (v >= 100) snprintf(out, size, "%.0f", v);
    else if (v >= 10) snprintf(out, size, "%.1f", v);
    else if (v >= 0.01 || v == 0) snprintf(out, size, "%.2f", v);
    else snprintf(out, size, "%.2g", v);
}

/* A 1-2-5 step giving about five ticks up to max. */
static double tick_step(double max) {
    double raw = max / 5, mag = pow(10, floor(log10(raw))), norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

int svg_chart_write(const svg_chart *c, FILE *f) {
    if (c->groups <= 0 || c->series <= 0) return -1;
    double max = 0;
    size_t longest = 0;
    for (int g = 0; g < c->groups; g++) {
        size_t n = strlen(c->group_labels[g]);
        if (n > longest) longest = n;
        for (int s = 0; s < c->series; s++) {
            double v = c->values[g * c->series + s];
            if (has_value(v) && v > max) max = v;
        }
    }
    if (max <= 0) max = 1; /* every bar empty or zero: still draw a readable axis */
    double step = tick_step(max), axis_max = ceil(max / step - 1e-9) * step;
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);

    double left = 12 + longest * CHAR_W, width = left + PLOT_W + 70;
    double title_w = 24 + strlen(c->title) * CHAR_W * 1.3; /* 15 px bold */
    if (width < title_w) width = title_w;
    /* legend: entries in rows, wrapped at the chart's width */
    double legend_top = 44, x = left, legend_rows = 1;
    for (int s = 0; s < c->series; s++) {
        double w = 22 + strlen(c->series_labels[s]) * CHAR_W + 16;
        if (x + w > width - 10 && x > left) {
            x = left;
            legend_rows++;
        }
        x += w;
    }
    double plot_top = legend_top + legend_rows * 18 + 10;
    double group_h = c->series * BAR_H + GROUP_GAP, plot_h = c->groups * group_h;
    double height = plot_top + plot_h + 50;

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
            "font-family=\"sans-serif\" font-size=\"12\">\n",
            width, height, width, height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    fprintf(f, "<text x=\"%.1f\" y=\"22\" font-size=\"15\" font-weight=\"bold\">", 12.0);
    put_escaped(f, c->title);
    fprintf(f, "</text>\n");

    /* legend */
    fprintf(f, "<g class=\"legend\">\n");
    x = left;
    double y = legend_top;
    for (int s = 0; s < c->series; s++) {
        double w = 22 + strlen(c->series_labels[s]) * CHAR_W + 16;
        if (x + w > width - 10 && x > left) {
            x = left;
            y += 18;
        }
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\" fill=\"%s\"/>", x, y - 10,
                palette[s % (int)(sizeof palette / sizeof *palette)]);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 20, y);
        put_escaped(f, c->series_labels[s]);
        fprintf(f, "</text>\n");
        x += w;
    }
    fprintf(f, "</g>\n");

    /* grid, ticks and the value axis */
    fprintf(f, "<g class=\"axis\" stroke=\"#dddddd\">\n");
    for (double t = 0; t <= axis_max * (1 + 1e-9); t += step) {
        double tx = left + t / axis_max * PLOT_W;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", tx, plot_top, tx, plot_top + plot_h);
    }
    fprintf(f, "</g>\n<g class=\"ticks\" text-anchor=\"middle\">\n");
    for (double t = 0; t <= axis_max * (1 + 1e-9); t += step) {
        double tx = left + t / axis_max * PLOT_W;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%.*f</text>\n", tx, plot_top + plot_h + 16, decimals, t);
    }
    fprintf(f, "</g>\n");
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n", left, plot_top, left,
            plot_top + plot_h);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n", left,
            plot_top + plot_h, left + PLOT_W, plot_top + plot_h);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", left + PLOT_W / 2, plot_top + plot_h + 36);
    put_escaped(f, c->axis_label);
    fprintf(f, "</text>\n");

    /* the bars: one row of labels on the left, each bar's value at its end */
    fprintf(f, "<g class=\"bars\">\n");
    for (int g = 0; g < c->groups; g++) {
        double gy = plot_top + g * group_h + GROUP_GAP / 2;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 6, gy + c->series * BAR_H / 2 + 4);
        put_escaped(f, c->group_labels[g]);
        fprintf(f, "</text>\n");
        for (int s = 0; s < c->series; s++) {
            double v = c->values[g * c->series + s], by = gy + s * BAR_H;
            char text[32];
            if (!has_value(v)) {
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#888888\" font-size=\"10\">no data</text>\n",
                        left + 4, by + BAR_H - 3);
                continue;
            }
            double w = v / axis_max * PLOT_W;
            svg_format_value(text, sizeof text, v);
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>", left, by,
                    w, BAR_H - 2, palette[s % (int)(sizeof palette / sizeof *palette)]);
            put_escaped(f, c->series_labels[s]);
            fprintf(f, ": %s</title></rect>\n", text);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%s</text>\n", left + w + 4, by + BAR_H - 4,
                    text);
        }
    }
    fprintf(f, "</g>\n</svg>\n");
    return ferror(f) ? -1 : 0;
}
