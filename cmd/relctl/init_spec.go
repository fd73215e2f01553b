package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/relctl/relctl/providers/git"
	"github.com/relctl/relctl/state"
)

// initDraft is what init will write, and why.
type initDraft struct {
	Repo repoFacts
	// Top is the repository's root, where .github/workflows is; Sub is
	// the folder of relctl.hcl below it ("" when the same).
	Top, Sub string
	Registry string
	Charts   []initChart
	Dir      string      // charts { dir }
	Explicit []initChart // charts outside Dir
	Tag      string      // release tag template; "" keeps relctl's default
	Title    string      // release title template; "" keeps relctl's default
	// MakeLatest and UpdateNotes are set when a chart-releaser setup
	// decides them; nil keeps relctl's defaults.
	MakeLatest  *bool
	UpdateNotes *bool
	CR          *chartReleaser
	PagesIndex  string   // the branch holding a classic index.yaml
	PagesURL    string   // what consumers `helm repo add`, when PagesIndex is set
	Notes       []string // what was found and how it maps, for the user
}

func (d *initDraft) note(format string, a ...any) {
	d.Notes = append(d.Notes, fmt.Sprintf(format, a...))
}

// draftInit reads the repository in dir and decides relctl.hcl.
func draftInit(ctx context.Context, env *Env, dir, registry string) (*initDraft, error) {
	repo, err := readRepo(ctx, dir)
	if err != nil {
		return nil, err
	}
	d := &initDraft{Repo: repo, Top: dir}
	if top, err := git.TopLevel(ctx, dir); err == nil {
		// git answers with symlinks resolved (macOS's /var is /private/var).
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			real = dir
		}
		if top != real {
			d.Top, d.Sub = top, relSlash(top, real)
		}
	}
	d.Registry = registry
	if d.Registry == "" {
		d.Registry = "ghcr.io/" + strings.ToLower(repo.Remote.Owner) + "/" + strings.ToLower(repo.Remote.Name)
	}
	d.note("GitHub repository %s/%s (git remote origin, %s); charts go to %s/<chart>", repo.Remote.Owner, repo.Remote.Name, repo.Remote.Host, d.Registry)

	if d.CR, err = readChartReleaser(d.Top); err != nil {
		return nil, err
	}
	d.Charts, err = findCharts(dir)
	if err != nil {
		return nil, err
	}
	if len(d.Charts) == 0 {
		return nil, errors.New("no chart found: relctl init looks for folders with a Chart.yaml below " + dir)
	}
	want := "charts"
	if s, ok := d.CR.get("charts_dir"); ok {
		// chart-releaser runs at the repository's root.
		want = strings.TrimPrefix(strings.Trim(s.Value, "/"), d.Sub+"/")
	}
	d.Dir, d.Explicit = chartsDir(d.Charts, want)
	d.note("%d chart(s) in %s/%s", len(d.Charts)-len(d.Explicit), d.Dir, plural(d.Explicit, " (and %d named one by one)"))

	if d.CR.found() {
		d.note("chart-releaser setup: %s", strings.Join(crSources(d.CR), ", "))
	}
	if err := d.mapChartReleaser(); err != nil {
		return nil, err
	}
	d.detectPagesIndex(ctx, env, dir)
	d.matchTags(ctx, env)
	return d, nil
}

func plural(list []initChart, format string) string {
	if len(list) == 0 {
		return ""
	}
	return fmt.Sprintf(format, len(list))
}

func crSources(cr *chartReleaser) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range cr.Workflows {
		if !seen[w] {
			seen[w] = true
			out = append(out, w+" (helm/chart-releaser-action)")
		}
	}
	for _, s := range cr.Settings {
		if !seen[s.Source] {
			seen[s.Source] = true
			out = append(out, s.Source)
		}
	}
	return out
}

// mapChartReleaser maps each chart-releaser setting to relctl's, and says
// how.
func (d *initDraft) mapChartReleaser() error {
	cr := d.CR
	if s, ok := cr.get("skip_existing"); ok {
		d.note("skip_existing = %s (%s): no setting needed. relctl never publishes a version twice: one already released with the same chart files is left alone; one whose files changed without a version bump is blocked on the pull request (registry.on_conflict = \"fail\") instead of skipped in silence", s.Value, s.Source)
	}
	latest := true // chart-releaser marks each release as latest by default
	if s, ok := cr.get("mark_as_latest"); ok {
		b, err := strconv.ParseBool(s.Value)
		if err != nil {
			return fmt.Errorf("%s: mark_as_latest = %q is not true or false", s.Source, s.Value)
		}
		latest = b
		d.note("mark_as_latest = %s (%s) → github.make_latest = %t", s.Value, s.Source, b)
	} else if cr.found() {
		d.note("mark_as_latest (chart-releaser's default: true) → github.make_latest = true")
	}
	if cr.found() {
		d.MakeLatest = &latest
	}
	if s, ok := cr.get("release_name_template"); ok {
		t, err := crTemplate(s.Value)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Source, err)
		}
		d.Tag, d.Title = t, t
		d.note("release_name_template = %q (%s) → release.tag and release.title = %q", s.Value, s.Source, t)
	}
	if cr.found() {
		// chart-releaser wrote each release's notes; relctl must not
		// rewrite the notes of releases it adopts.
		f := false
		d.UpdateNotes = &f
		d.note("releases chart-releaser published keep their notes → github.update_notes = false")
	}
	branch := "gh-pages"
	if s, ok := cr.get("pages_branch"); ok {
		branch = s.Value
	}
	d.PagesIndex = branch
	return nil
}

// matchTags picks the tag template the repository's releases use, when a
// token can list them and release_name_template did not already say.
func (d *initDraft) matchTags(ctx context.Context, env *Env) {
	if d.Tag != "" {
		return
	}
	ev, err := readTagEvidence(ctx, env, d.Repo.Remote.Owner, d.Repo.Remote.Name, d.Charts)
	switch {
	case errors.Is(err, errNoToken):
		if d.CR.found() {
			d.Tag, d.Title = tagChartRelease, tagChartRelease
			d.note("release tags: no GITHUB_TOKEN to read the releases; chart-releaser's default %q assumed", tagChartRelease)
		} else {
			d.note("release tags: no GITHUB_TOKEN to read the releases; relctl's default %q", tagRelctl)
		}
	case err != nil:
		d.note("release tags: %v; relctl's default %q", err, tagRelctl)
	case ev.CR > ev.Relctl:
		d.Tag, d.Title = tagChartRelease, tagChartRelease
		d.note("release tags: %d of %d releases are tagged <chart>-<version> (chart-releaser's) → release.tag = %q", ev.CR, ev.Releases, tagChartRelease)
	case ev.Relctl > 0:
		d.note("release tags: %d of %d releases are tagged <chart>-v<version> → relctl's default %q", ev.Relctl, ev.Releases, tagRelctl)
	case d.CR.found():
		d.Tag, d.Title = tagChartRelease, tagChartRelease
		d.note("release tags: no chart release yet; chart-releaser's %q kept", tagChartRelease)
	default:
		d.note("release tags: no chart release yet; relctl's default %q", tagRelctl)
	}
}

// detectPagesIndex says whether the pages branch holds a classic index.
func (d *initDraft) detectPagesIndex(ctx context.Context, env *Env, dir string) {
	from := "chart-releaser's default"
	if s, ok := d.CR.get("pages_branch"); ok {
		from = s.Source
	}
	found, where := git.BranchHasFile(ctx, dir, d.PagesIndex, "index.yaml"), ""
	if !found && !git.HasBranch(ctx, dir, d.PagesIndex) {
		// Not in this clone (actions/checkout fetches one branch): ask
		// GitHub, as the plan will.
		found, where = d.pagesIndexOnGitHub(ctx, env), " on GitHub (the branch is not in this clone)"
	}
	if !found {
		if d.CR.found() {
			d.note("pages_branch = %s (%s): no index.yaml on it, nothing to map", d.PagesIndex, from)
		}
		d.PagesIndex = ""
		return
	}
	d.PagesURL = pagesURL(d.Repo.Remote, d.CR)
	d.note("pages_branch = %s (%s) holds index.yaml%s, a classic chart repository: relctl keeps it from now on (helm_repository, url %s); entries chart-releaser wrote that agree with the releases are kept as they are. Remove chart-releaser's workflow step, or it races relctl", d.PagesIndex, from, where, d.PagesURL)
}

// pagesIndexOnGitHub reads the pages branch's index.yaml through the API:
// false without a token or when the branch or the file is absent (a failed
// read is noted).
func (d *initDraft) pagesIndexOnGitHub(ctx context.Context, env *Env) bool {
	c, err := initGitHub(env, d.Repo.Remote.Owner, d.Repo.Remote.Name)
	if err != nil {
		if !errors.Is(err, errNoToken) {
			d.note("pages_branch = %s: not in this clone, and GitHub could not be asked: %v", d.PagesIndex, err)
		}
		return false
	}
	if _, err := c.ReadFile(ctx, d.PagesIndex, "index.yaml"); err != nil {
		if !errors.Is(err, state.ErrNotFound) {
			d.note("pages_branch = %s: not in this clone, and GitHub could not be read: %v", d.PagesIndex, err)
		}
		return false
	}
	return true
}

// pagesURL is the URL consumers add the classic repository by:
// chart-releaser's charts_repo_url when set, else GitHub Pages' default
// for the repository (https://<owner>.github.io/<repo>, or the bare host
// for a repository named <owner>.github.io).
func pagesURL(r git.Remote, cr *chartReleaser) string {
	if s, ok := cr.get("charts_repo_url"); ok && s.Value != "" {
		return strings.TrimSuffix(s.Value, "/")
	}
	host := strings.ToLower(r.Owner) + ".github.io"
	if strings.EqualFold(r.Name, host) {
		return "https://" + host
	}
	return "https://" + host + "/" + r.Name
}
