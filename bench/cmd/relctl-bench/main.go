// Command relctl-bench measures relctl at monorepo scale against the
// in-process registry and GitHub emulator with an injected latency, beside a
// seed-style baseline, and prints the tables BENCHMARKS.md shows.
//
//	go run ./bench/cmd/relctl-bench -charts 10,100,500 -latency 20ms
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/relctl/relctl/bench"
)

func main() {
	os.Exit(run())
}

func run() int {
	var (
		charts      = flag.String("charts", "10,100,500", "comma-separated chart counts, one workspace each")
		latency     = flag.Duration("latency", bench.DefaultLatency, "delay added to every registry and GitHub request")
		relctl      = flag.String("relctl", "", "relctl binary to measure; empty builds ./cmd/relctl of this module")
		parallelism = flag.Int("parallelism", 0, "relctl --parallelism; 0 keeps relctl's default")
		baseline    = flag.Bool("baseline", true, "also run the seed-style baseline and print ratios")
		paced       = flag.String("paced-host", "", "serve the GitHub emulator on this non-loopback address of this host, so that GitHub writes are paced as on github.com (e.g. the first address of `hostname -I`); run it at small -charts: a second per write")
		only        = flag.String("only", "", "comma-separated scenarios to run besides the first publish; empty runs all")
		attach      = flag.Int64("attach-mib", 0, "add a release file of this many MiB to every release (sparse): the peak RSS of a large asset")
		traffic     = flag.Bool("traffic", true, "list requests by service and kind for each run")
		token       = flag.Bool("token", false, "the registry wants bearer tokens from its token endpoint, with credentials, as GHCR does; token requests are counted apart")
		profiles    = flag.String("cpuprofile", "", "write a CPU profile of each relctl run into this `DIR` (<charts>-<scenario>.pprof)")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var counts []int
	for _, s := range strings.Split(*charts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "relctl-bench: -charts: %q is not a positive number\n", s)
			return 2
		}
		counts = append(counts, n)
	}
	bin := *relctl
	if bin == "" {
		dir, err := os.MkdirTemp("", "relctl-bench-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "relctl-bench:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		fmt.Fprintln(os.Stderr, "building ./cmd/relctl")
		if bin, err = bench.BuildRelctl(ctx, dir); err != nil {
			fmt.Fprintln(os.Stderr, "relctl-bench:", err)
			return 1
		}
	}
	var onlyList []string
	if *only != "" {
		onlyList = strings.Split(*only, ",")
	}
	var reports []*bench.Report
	for _, n := range counts {
		rep, err := bench.Measure(ctx, bench.Options{
			Charts: n, Latency: *latency, Relctl: bin, Parallelism: *parallelism,
			GitHubHost: *paced, Baseline: *baseline, AttachFile: *attach << 20, Only: onlyList, Log: os.Stderr, ProfileDir: *profiles, Token: *token,
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "relctl-bench:", err)
			return 1
		}
		reports = append(reports, rep)
	}
	pacing := "off (emulator on loopback)"
	if *paced != "" {
		pacing = "on (emulator on " + *paced + ")"
	}
	auth := "none"
	if *token {
		auth = "bearer tokens (token requests apart from registry requests)"
	}
	fmt.Printf("latency %s per request, GitHub write pacing %s, registry authentication %s\n\n", *latency, pacing, auth)
	bench.WriteSummary(os.Stdout, reports)
	fmt.Println()
	bench.WriteRatios(os.Stdout, reports)
	if *traffic {
		bench.WriteTraffic(os.Stdout, reports)
	}
	return 0
}
