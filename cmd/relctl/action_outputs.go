package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/relctl/relctl/planner"
)

// stepOutputs are the action's outputs, in the order they were set.
type stepOutputs struct {
	names  []string
	values map[string]string
}

func (o *stepOutputs) set(name, value string) {
	if o.values == nil {
		o.values = map[string]string{}
	}
	if _, ok := o.values[name]; !ok {
		o.names = append(o.names, name)
	}
	o.values[name] = value
}

// write appends the outputs to $GITHUB_OUTPUT as name=value lines. Every
// value is one line (the JSON is compact), so no heredoc delimiter is
// needed; a value with a newline would be a bug, and is refused.
func (o *stepOutputs) write(path string) error {
	if path == "" || len(o.names) == 0 {
		return nil
	}
	var b strings.Builder
	for _, n := range o.names {
		v := o.values[n]
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("step output %s holds a newline", n)
		}
		fmt.Fprintf(&b, "%s=%s\n", n, v)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("write step outputs: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(b.String()); err != nil {
		return fmt.Errorf("write step outputs: %w", err)
	}
	return nil
}

// readPlan reads the plan relctl plan saved and sets has-changes, blocked
// and plan-json from it.
func (o *stepOutputs) readPlan(path string) (*planner.ChangeSet, error) {
	p, err := readPlanFile(path)
	if err != nil {
		return nil, err
	}
	o.set("has-changes", fmt.Sprint(p.HasChanges()))
	o.set("blocked", fmt.Sprint(len(p.Blocked()) > 0))
	o.set("plan-json", path)
	return p, nil
}

// published is one element of the published output.
type published struct {
	Chart      string `json:"chart"`
	Version    string `json:"version"`
	Reference  string `json:"reference"`
	Digest     string `json:"digest"`
	Tag        string `json:"tag,omitempty"`
	ReleaseURL string `json:"release_url,omitempty"`
}

// fromResult sets published from apply's result file (which charts were
// published) and the plan it applied (where each one is). The saved plan
// was checked against the remote just before apply, so its references and
// digests are what was published.
func (o *stepOutputs) fromResult(path string, p *planner.ChangeSet, serverURL string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var res struct {
		Published []string `json:"published"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	list := publishedCharts(p, res.Published, serverURL)
	j, err := json.Marshal(list)
	if err != nil {
		return err
	}
	o.set("published", string(j))
	return nil
}

func publishedCharts(p *planner.ChangeSet, charts []string, serverURL string) []published {
	if serverURL == "" {
		serverURL = "https://github.com"
	}
	out := []published{}
	for _, chart := range charts {
		e := published{Chart: chart}
		for _, c := range p.ChartChanges(chart) {
			switch {
			case c.Type == planner.TypeOCIChart:
				e.Reference, e.Digest = c.After["reference"], c.After["digest"]
				if c.OCI != nil {
					// The OCI tag is the version with "+" as "_", as helm
					// tags it; semver allows no "_", so this is exact.
					e.Version = strings.ReplaceAll(c.OCI.Tag, "_", "+")
				}
			case c.Type == planner.TypeRelease && c.Release != nil:
				e.Tag = c.Release.Tag
			}
		}
		if e.Tag != "" && p.Repository != "" {
			e.ReleaseURL = fmt.Sprintf("%s/%s/releases/tag/%s", strings.TrimSuffix(serverURL, "/"), p.Repository, e.Tag)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Chart < out[j].Chart })
	return out
}
