package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/relctl/relctl/providers/github"
)

// Release tag templates init chooses between.
const (
	tagRelctl       = "${chart.name}-v${chart.version}" // relctl's default
	tagChartRelease = "${chart.name}-${chart.version}"  // chart-releaser's default
)

// tagEvidence counts the repository's release tags that follow each
// template, for the charts init found.
type tagEvidence struct {
	Releases      int // releases read
	Relctl, CR    int // tags of the form <chart>-v<version>, <chart>-<version>
	ChartReleases int // releases of a chart that init found
}

// readTagEvidence lists the repository's releases (drafts included, when
// the token may see them) and matches their tags to the charts' names.
func readTagEvidence(ctx context.Context, env *Env, owner, repo string, charts []initChart) (tagEvidence, error) {
	c, err := initGitHub(env, owner, repo)
	if err != nil {
		return tagEvidence{}, err
	}
	rels, err := c.ListReleases(ctx)
	if err != nil {
		return tagEvidence{}, fmt.Errorf("list the releases of %s/%s: %w", owner, repo, err)
	}
	ev := tagEvidence{Releases: len(rels)}
	for _, r := range rels {
		for _, ch := range charts {
			rest, ok := strings.CutPrefix(r.TagName, ch.Name+"-")
			if !ok {
				continue
			}
			if v, ok := strings.CutPrefix(rest, "v"); ok && isSemver(v) {
				ev.Relctl++
				ev.ChartReleases++
				break
			}
			if isSemver(rest) {
				ev.CR++
				ev.ChartReleases++
				break
			}
		}
	}
	return ev, nil
}

var errNoToken = fmt.Errorf("no GITHUB_TOKEN")

// initGitHub is init's client of the repository's GitHub API, with the
// token of GITHUB_TOKEN or GH_TOKEN; errNoToken without one.
func initGitHub(env *Env, owner, repo string) (*github.Client, error) {
	token := env.Getenv("GITHUB_TOKEN")
	if token == "" {
		token = env.Getenv("GH_TOKEN")
	}
	if token == "" {
		return nil, errNoToken
	}
	return github.New(github.Options{APIURL: env.Getenv("GITHUB_API_URL"), Token: token, Owner: owner, Repo: repo})
}

func isSemver(v string) bool {
	_, err := semver.StrictNewVersion(v)
	return err == nil
}

// crTemplate translates chart-releaser's release_name_template (a Go
// template over the chart's metadata) into relctl's HCL template. Only
// .Name and .Version have a relctl counterpart.
func crTemplate(t string) (string, error) {
	out := regexp.MustCompile(`\{\{-?\s*\.(Name|Version)\s*-?\}\}`).ReplaceAllStringFunc(t, func(m string) string {
		if strings.Contains(m, "Name") {
			return "${chart.name}"
		}
		return "${chart.version}"
	})
	if strings.Contains(out, "{{") {
		return "", fmt.Errorf("release_name_template %q uses more than {{ .Name }} and {{ .Version }}", t)
	}
	if !strings.Contains(out, "${chart.name}") || !strings.Contains(out, "${chart.version}") {
		return "", fmt.Errorf("release_name_template %q does not name both the chart and its version", t)
	}
	return out, nil
}
