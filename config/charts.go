package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// DefaultChartsDir is where charts {} looks when it has no dir.
const DefaultChartsDir = "charts"

// foundChart is a chart while the spec loads: the public Chart plus what
// release templates and messages need.
type foundChart struct {
	Chart
	appVersion  string
	description string
	// origin names the declaration for messages: `chart "podinfo"` or
	// `charts`.
	origin string
}

// charts decodes the chart blocks and the charts {} block, reads every
// chart's Chart.yaml and checks that names are unique. Explicit charts come
// first in the result, then discovered ones in path order.
func (l *loader) charts(blocks []*hcl.Block, discovery *hcl.Block) (*Discovery, []foundChart) {
	var found []foundChart
	for _, b := range blocks {
		if c := l.explicitChart(b); c != nil {
			found = append(found, *c)
		}
	}
	var disc *Discovery
	discoveryFailed := false
	if discovery != nil {
		var more []foundChart
		before := len(l.diags.Errs())
		disc, more = l.discover(discovery)
		found = append(found, more...)
		discoveryFailed = len(l.diags.Errs()) > before
	}

	byName := map[string]foundChart{}
	unique := found[:0]
	for _, c := range found {
		if first, dup := byName[c.Name]; dup {
			l.errorf(c.DeclRange.Ptr(), "Duplicate chart",
				"Chart %q is declared twice: by %s at %s (folder %s) and by %s at %s (folder %s). Chart names must be unique, since each chart is pushed to <repository>/<name>.",
				c.Name, first.origin, first.DeclRange, first.RelDir, c.origin, c.DeclRange, c.RelDir)
			continue
		}
		byName[c.Name] = c
		unique = append(unique, c)
	}

	if len(blocks) == 0 && discovery == nil {
		l.errorf(nil, "No charts declared",
			"%s declares no chart, and a spec publishes at least one. Declare charts with chart blocks, or find them with a charts block:\n\n  charts {\n    dir = \"charts\"\n  }", FileName)
	} else if len(blocks) == 0 && disc != nil && len(unique) == 0 && !discoveryFailed {
		l.errorf(discovery.DefRange.Ptr(), "No charts found",
			"No folder below %s holds a Chart.yaml, and no chart block declares a chart.", disc.Dir)
	}
	return disc, unique
}

// explicitChart decodes one chart "name" { path = ... } block.
func (l *loader) explicitChart(b *hcl.Block) *foundChart {
	content, diags := b.Body.Content(chartSchema)
	l.diags = append(l.diags, diags...)
	r := l.attrReader(content.Attributes, b.DefRange)
	p := r.str("path", "")
	if !r.ok("path") {
		return nil
	}
	abs, rel, ok := l.inside(p)
	if !ok {
		l.errorf(r.rangeOf("path"), "Chart path outside the spec directory",
			"path = %q leads outside the directory of %s. Charts must live inside it, so that a path means the same on every machine.", p, FileName)
		return nil
	}
	c, ok := l.readChart(abs, rel, b.DefRange)
	if !ok {
		return nil
	}
	c.origin = describeBlock(b)
	if label := b.Labels[0]; c.Name != "" && label != c.Name {
		l.errorf(b.LabelRanges[0].Ptr(), "Chart name mismatch",
			"The block is labelled %q, but %s/Chart.yaml names the chart %q. The label must be the chart's name.",
			label, rel, c.Name)
		return nil
	}
	return c
}

// discover walks charts { dir } for chart folders. A folder with a
// Chart.yaml is a chart and the walk does not enter it: its charts/
// subfolder holds dependencies packaged with it, not charts of their own.
// Hidden folders (.git, .cache) are skipped.
func (l *loader) discover(b *hcl.Block) (*Discovery, []foundChart) {
	content, diags := b.Body.Content(chartsSchema)
	l.diags = append(l.diags, diags...)
	r := l.attrReader(content.Attributes, b.DefRange)
	d := &Discovery{
		Dir:         DefaultChartsDir,
		OnlyChanged: r.boolean("only_changed", false),
		DeclRange:   b.DefRange,
	}
	p := r.str("dir", DefaultChartsDir)
	if r.isSet("dir") && !r.ok("dir") {
		return d, nil
	}
	root, rel, ok := l.inside(p)
	if !ok {
		l.errorf(r.rangeOf("dir"), "Charts folder outside the spec directory",
			"dir = %q leads outside the directory of %s. Charts must live inside it, so that a path means the same on every machine.", p, FileName)
		return d, nil
	}
	d.Dir = rel
	if why := statFolder(root); why != "" {
		l.errorf(r.rangeOf("dir"), "Charts folder not found", "%s: %s.", rel, why)
		return d, nil
	}

	var found []foundChart
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			return nil
		}
		if path != root && strings.HasPrefix(e.Name(), ".") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(path, chartFile)); err != nil {
			return nil
		}
		relPath, _ := filepath.Rel(l.dir, path)
		if c, ok := l.readChart(path, filepath.ToSlash(relPath), b.DefRange); ok {
			c.origin = "charts"
			found = append(found, *c)
		}
		return filepath.SkipDir
	})
	if err != nil {
		l.errorf(b.DefRange.Ptr(), "Cannot search for charts", "Reading %s failed: %s.", rel, osReason(err))
	}
	return d, found
}

// inside resolves p against the spec directory and reports whether it stays
// inside. The check is on the cleaned path; symbolic links are followed
// when read, as helm and git do.
func (l *loader) inside(p string) (abs, rel string, ok bool) {
	abs = filepath.Clean(filepath.FromSlash(p))
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(l.dir, abs)
	}
	r, err := filepath.Rel(l.dir, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", "", false
	}
	return abs, filepath.ToSlash(r), true
}

// statFolder reports why dir cannot be a chart folder, "" when it can.
func statFolder(dir string) string {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such folder"
	case err != nil:
		return osReason(err)
	case !info.IsDir():
		return "not a folder"
	}
	return ""
}
