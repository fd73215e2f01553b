package bench

import (
	"fmt"
	"io"
	"time"
)

// WriteSummary writes one Markdown table row per run of every report:
// what BENCHMARKS.md shows.
// With a registry behind bearer tokens, a column counts the requests to
// its token endpoint, which the registry column leaves out.
func WriteSummary(w io.Writer, reports []*Report) {
	tokens := false
	for _, rep := range reports {
		tokens = tokens || rep.Options.Token
	}
	if tokens {
		fmt.Fprintln(w, "| charts | scenario | wall | CPU | CPU/chart | peak RSS | registry req (/chart) | token req (/chart) | GitHub req (/100 charts) | bytes moved |")
		fmt.Fprintln(w, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	} else {
		fmt.Fprintln(w, "| charts | scenario | wall | CPU | CPU/chart | peak RSS | registry req (/chart) | GitHub req (/100 charts) | bytes moved |")
		fmt.Fprintln(w, "|---:|---|---:|---:|---:|---:|---:|---:|---:|")
	}
	for _, rep := range reports {
		runs := rep.Runs
		if rep.Baseline != nil {
			runs = append([]Run{*rep.Baseline}, runs...)
		}
		for _, r := range runs {
			rss := "n/a"
			if r.MaxRSS > 0 {
				rss = fmt.Sprintf("%d MiB", r.MaxRSS>>20)
			}
			reg, gh := r.Requests("registry"), r.Requests("github")
			tok := ""
			if tokens {
				n := r.Requests("token")
				tok = fmt.Sprintf(" %d (%.2f) |", n, float64(n)/float64(r.Charts))
			}
			fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %d (%.1f) |%s %d (%.1f) | %s |\n",
				r.Charts, r.Scenario, round(r.Wall), round(r.CPU), perChart(r.CPU, r.Charts), rss,
				reg, float64(reg)/float64(r.Charts), tok, gh, 100*float64(gh)/float64(r.Charts), bytesOf(r.Bytes()))
		}
	}
}

// WriteRatios compares relctl's first publish with the baseline's.
func WriteRatios(w io.Writer, reports []*Report) {
	for _, rep := range reports {
		fp := rep.Run(FirstPublish)
		if rep.Baseline == nil || fp == nil {
			continue
		}
		b := rep.Baseline
		fmt.Fprintf(w, "%d charts, first publish: relctl %s, baseline %s: relctl/baseline wall %.2f (relctl %.1f× faster); requests %d/%d = %.2f; bytes %.2f\n",
			fp.Charts, round(fp.Wall), round(b.Wall), ratio(fp.Wall, b.Wall), ratio(b.Wall, fp.Wall),
			fp.Requests(""), b.Requests(""), float64(fp.Requests(""))/float64(max(1, b.Requests(""))),
			float64(fp.Bytes())/float64(max(1, b.Bytes())))
	}
}

// WriteTraffic lists, for each run, its requests by service and kind.
func WriteTraffic(w io.Writer, reports []*Report) {
	for _, rep := range reports {
		runs := rep.Runs
		if rep.Baseline != nil {
			runs = append([]Run{*rep.Baseline}, runs...)
		}
		for _, r := range runs {
			fmt.Fprintf(w, "\n%d charts, %s:\n", r.Charts, r.Scenario)
			for _, t := range r.Traffic {
				fmt.Fprintf(w, "  %-8s %-62s %6d req %6.2f/chart  in %-9s out %s\n", t.Service, t.Kind, t.Requests,
					float64(t.Requests)/float64(r.Charts), bytesOf(t.BytesIn), bytesOf(t.BytesOut))
			}
		}
	}
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func round(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func perChart(d time.Duration, charts int) string {
	if charts == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(charts)/float64(time.Millisecond))
}

func bytesOf(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
