package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/relctl/relctl/providers/git"
)

// initChart is a chart init found: its folder (slash-separated, relative
// to the repository) and its Chart.yaml name and version.
type initChart struct {
	Path, Name, Version string
}

// findCharts lists the folders below dir that hold a Chart.yaml. A chart's
// own subfolders are not searched: charts/ inside a chart holds its
// vendored dependencies, which are not published on their own.
func findCharts(dir string) ([]initChart, error) {
	var out []initChart
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if n := d.Name(); p != dir && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "vendor") {
			return filepath.SkipDir
		}
		b, err := os.ReadFile(filepath.Join(p, "Chart.yaml"))
		if err != nil {
			return nil
		}
		var meta struct{ Name, Version string }
		if err := yaml.Unmarshal(b, &meta); err != nil || meta.Name == "" {
			return fmt.Errorf("%s: not a readable Chart.yaml", filepath.Join(p, "Chart.yaml"))
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, initChart{Path: filepath.ToSlash(rel), Name: meta.Name, Version: meta.Version})
		return filepath.SkipDir
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// chartsDir picks the folder holding the most charts (preferring want, the
// charts_dir chart-releaser was given, when it holds any) and returns the
// charts outside it, which the spec then names one by one.
func chartsDir(charts []initChart, want string) (string, []initChart) {
	count := map[string]int{}
	for _, c := range charts {
		count[pathDir(c.Path)]++
	}
	best := ""
	if count[want] > 0 {
		best = want
	} else {
		for d, n := range count {
			if best == "" || n > count[best] || (n == count[best] && d < best) {
				best = d
			}
		}
	}
	var rest []initChart
	for _, c := range charts {
		if pathDir(c.Path) != best {
			rest = append(rest, c)
		}
	}
	return best, rest
}

func pathDir(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return "."
}

// crSetting is one chart-releaser setting and where it was read.
type crSetting struct {
	Value  string
	Source string
}

// chartReleaser is what init reads of a chart-releaser setup: the
// chart-releaser-action step's inputs and cr.yaml, keyed by the action's
// input names (cr.yaml's "pages-branch" is "pages_branch").
type chartReleaser struct {
	Workflows []string // workflows that run helm/chart-releaser-action
	Settings  map[string]crSetting
}

func (cr *chartReleaser) found() bool { return len(cr.Workflows) > 0 || len(cr.Settings) > 0 }

func (cr *chartReleaser) get(key string) (crSetting, bool) {
	s, ok := cr.Settings[key]
	return s, ok
}

// readChartReleaser reads the workflows under .github/workflows and the
// cr.yaml files chart-releaser reads. The action's inputs win over cr.yaml,
// as the action passes them as flags.
func readChartReleaser(dir string) (*chartReleaser, error) {
	cr := &chartReleaser{Settings: map[string]crSetting{}}
	configs := []string{"cr.yaml", ".github/cr.yaml", ".cr.yaml"}
	wfs, _ := filepath.Glob(filepath.Join(dir, ".github", "workflows", "*.y*ml"))
	sort.Strings(wfs)
	inputs := map[string]crSetting{}
	for _, wf := range wfs {
		rel := relSlash(dir, wf)
		b, err := os.ReadFile(wf)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Jobs map[string]struct {
				Steps []struct {
					Uses string         `json:"uses"`
					With map[string]any `json:"with"`
				} `json:"steps"`
			} `json:"jobs"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			continue // not ours to judge; GitHub will say
		}
		for _, job := range doc.Jobs {
			for _, st := range job.Steps {
				if !strings.HasPrefix(st.Uses, "helm/chart-releaser-action") {
					continue
				}
				cr.Workflows = append(cr.Workflows, rel)
				for k, v := range st.With {
					inputs[k] = crSetting{Value: fmt.Sprint(v), Source: rel}
				}
				if c, ok := st.With["config"].(string); ok {
					configs = append([]string{c}, configs...)
				}
			}
		}
	}
	for _, c := range configs {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(c)))
		if err != nil {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", c, err)
		}
		for k, v := range m {
			key := strings.ReplaceAll(k, "-", "_")
			if key == "make_release_latest" { // cr's flag for the action's mark_as_latest
				key = "mark_as_latest"
			}
			cr.Settings[key] = crSetting{Value: fmt.Sprint(v), Source: c}
		}
		break // chart-releaser reads one config file
	}
	for k, v := range inputs {
		cr.Settings[k] = v
	}
	return cr, nil
}

func relSlash(dir, p string) string {
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}

// repoFacts is what git says about the repository.
type repoFacts struct {
	Remote git.Remote
	Branch string
}

func readRepo(ctx context.Context, dir string) (repoFacts, error) {
	u, err := git.RemoteURL(ctx, dir, "origin")
	if err != nil {
		return repoFacts{}, fmt.Errorf("read the git remote origin (relctl.hcl names the GitHub repository from it): %w", err)
	}
	r, err := git.ParseRemote(u)
	if err != nil {
		return repoFacts{}, err
	}
	b := git.DefaultBranch(ctx, dir)
	if b == "" {
		b = "main"
	}
	return repoFacts{Remote: r, Branch: b}, nil
}
