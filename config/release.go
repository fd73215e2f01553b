package config

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/relctl/relctl/notes"
)

// DefaultAssets are taken from each chart's folder when release {} does not
// say otherwise; all optional.
var DefaultAssets = []string{"CHANGELOG.md", "README.md", "LICENSE"}

// releaseTemplates are release.tag and release.title, evaluated per chart
// once the charts are known. nil means the default.
type releaseTemplates struct {
	tag, title hcl.Expression
	block      hcl.Range
}

// release decodes the release block, leaving tag and title unevaluated.
func (l *loader) release(b *hcl.Block) (Release, releaseTemplates) {
	rel := Release{Atomic: true, Lineage: true, Assets: assetList(DefaultAssets)}
	if b == nil {
		return rel, releaseTemplates{}
	}
	content, nested, diags := blockContent(b, releaseSchema)
	l.diags = append(l.diags, diags...)
	r := l.attrReader(content.Attributes, b.DefRange)
	rel.DeclRange = b.DefRange
	rel.Atomic = r.boolean("atomic", true)
	rel.Lineage = r.boolean("lineage", true)
	rel.Assets = l.assets(r, nested["asset"])
	rel.Files = l.fileGlobs(r)
	rel.NotesTemplate = r.str("notes_template", "")
	if rel.NotesTemplate != "" {
		// Parsed only to check it; the template is rendered later, per
		// release, by the code that has the data.
		if err := notes.Check(rel.NotesTemplate); err != nil {
			l.errorf(r.rangeOf("notes_template"), "Invalid notes_template",
				"notes_template is not a valid Go text/template (%s).", err)
		}
	}
	return rel, releaseTemplates{tag: r.expr("tag"), title: r.expr("title"), block: b.DefRange}
}

// assets merges the assets list with the asset blocks: a block marks its
// file required (by default) and adds it when the list lacks it.
func (l *loader) assets(r *attrReader, blocks []*hcl.Block) []Asset {
	names := r.strings("assets", DefaultAssets)
	ranges := elementRanges(r, "assets", len(names))
	out := make([]Asset, 0, len(names)+len(blocks))
	index := map[string]int{}
	for i, n := range names {
		if !l.checkAssetName(n, ranges[i]) {
			continue
		}
		if _, dup := index[n]; dup {
			l.errorf(ranges[i], "Duplicate asset", "%q is listed twice in assets.", n)
			continue
		}
		index[n] = len(out)
		out = append(out, Asset{Name: n})
	}

	declared := map[string]*hcl.Block{}
	for _, b := range blocks {
		name := b.Labels[0]
		if prev := declared[name]; prev != nil {
			l.errorf(b.DefRange.Ptr(), "Duplicate asset",
				"An asset block for %q was already defined at %s.", name, prev.DefRange)
			continue
		}
		declared[name] = b
		content, diags := b.Body.Content(assetSchema)
		l.diags = append(l.diags, diags...)
		required := l.attrReader(content.Attributes, b.DefRange).boolean("required", true)
		if !l.checkAssetName(name, b.LabelRanges[0].Ptr()) {
			continue
		}
		if i, ok := index[name]; ok {
			out[i].Required = required
			continue
		}
		index[name] = len(out)
		out = append(out, Asset{Name: name, Required: required})
	}
	return out
}

// checkAssetName accepts a plain file name: a release asset is a file of
// the chart's own folder, and GitHub asset names cannot hold a "/".
func (l *loader) checkAssetName(name string, at *hcl.Range) bool {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		l.errorf(at, "Invalid asset name",
			"%q is not a file name. Assets are files directly in each chart's folder; attach other files with files = [...].", name)
		return false
	}
	return true
}

// fileGlobs reads release.files: globs relative to the spec directory
// that must not reach outside it, so that a spec cannot attach files from
// wherever it happens to be checked out.
func (l *loader) fileGlobs(r *attrReader) []string {
	globs := r.strings("files", nil)
	ranges := elementRanges(r, "files", len(globs))
	var out []string
	for i, g := range globs {
		clean := path.Clean(filepath.ToSlash(g))
		if filepath.IsAbs(g) || strings.HasPrefix(clean, "/") || clean == ".." || strings.HasPrefix(clean, "../") {
			l.errorf(ranges[i], "File glob outside the spec directory",
				"%q reaches outside the directory of %s. Release files must live inside it; write the glob relative to that directory.", g, FileName)
			continue
		}
		if _, err := path.Match(clean, ""); err != nil {
			l.errorf(ranges[i], "Invalid file glob", "%q is not a valid glob: %s.", g, err)
			continue
		}
		out = append(out, clean)
	}
	return out
}

// elementRanges returns the range of each element of a list attribute when
// it is written as a literal list, so that a problem with one element
// points at that element; otherwise the whole expression's range.
func elementRanges(r *attrReader, name string, n int) []*hcl.Range {
	out := make([]*hcl.Range, n)
	var elems []hcl.Expression
	if e := r.expr(name); e != nil {
		if list, diags := hcl.ExprList(e); !diags.HasErrors() && len(list) == n {
			elems = list
		}
	}
	for i := range out {
		if elems != nil {
			out[i] = elems[i].Range().Ptr()
		} else {
			out[i] = r.rangeOf(name)
		}
	}
	return out
}

func assetList(names []string) []Asset {
	out := make([]Asset, len(names))
	for i, n := range names {
		out[i] = Asset{Name: n}
	}
	return out
}
