/* svg_chart.h — a grouped horizontal bar chart written as plain SVG text (no libraries, no fonts to embed).
 * Horizontal because the group labels are op shapes and reduce specs, far too long to sit under a bar. */
#ifndef VKVLM_CLI_SVG_CHART_H
#define VKVLM_CLI_SVG_CHART_H

#include <stdio.h>

typedef struct svg_chart {
    const char *title;                 /* top line */
    const char *axis_label;            /* under the value axis, with its unit: "GFLOP/s (median)" */
    int groups, series;                /* one group per row label, one bar per series inside it */
    const char *const *group_labels;   /* [groups] */
    const char *const *series_labels;  /* [series]: the legend */
    const double *values;              /* [groups * series], group-major; a negative value or NaN is "no data" */
} svg_chart;

/* Writes the whole document to f; returns 0, or -1 when the chart is empty or a write failed. Text is
 * XML-escaped, so labels may hold any characters. */
int svg_chart_write(const svg_chart *c, FILE *f);

/* A value to three significant figures without an exponent (9.51, 95.1, 951, 9512): the bars and the
 * Markdown tables print numbers the same way. */
void svg_format_value(char *out, size_t size, double v);

#endif
