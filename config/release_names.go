package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// nameReleases evaluates release.tag and release.title for every chart,
// with `chart` bound to {name, version, path, app_version, description}.
// An expression that fails is reported once, not once per chart.
func (l *loader) nameReleases(found []foundChart, t releaseTemplates) []Chart {
	tag := chartTemplate{loader: l, expr: t.tag, attr: "tag"}
	title := chartTemplate{loader: l, expr: t.title, attr: "title"}
	byTag := map[string]string{}
	charts := make([]Chart, 0, len(found))
	for _, c := range found {
		ch := c.Chart
		ch.Tag = tag.eval(c, c.Name+"-v"+c.Version)
		ch.Title = title.eval(c, c.Name+": v"+c.Version)
		if ch.Tag != "" && !tag.failed {
			if err := CheckTagName(ch.Tag); err != nil {
				l.errorf(tag.rangeOr(t.block), "Invalid release tag",
					"The tag %q for chart %q is not a valid git tag name: %s.", ch.Tag, ch.Name, err)
				tag.failed = true
			} else if other, dup := byTag[ch.Tag]; dup {
				l.errorf(tag.rangeOr(t.block), "Duplicate release tag",
					"Charts %q and %q both get the release tag %q. Each chart needs its own tag; include ${chart.name} in release.tag.",
					other, ch.Name, ch.Tag)
				tag.failed = true
			}
			byTag[ch.Tag] = ch.Name
		}
		charts = append(charts, ch)
	}
	return charts
}

// chartTemplate is one per-chart expression of the release block.
type chartTemplate struct {
	loader *loader
	expr   hcl.Expression // nil: use the default
	attr   string
	failed bool
}

func (t *chartTemplate) eval(c foundChart, def string) string {
	if t.expr == nil {
		return def
	}
	if t.failed {
		return ""
	}
	ctx := t.loader.ctx.NewChild()
	ctx.Variables = map[string]cty.Value{"chart": cty.ObjectVal(map[string]cty.Value{
		"name":        cty.StringVal(c.Name),
		"version":     cty.StringVal(c.Version),
		"path":        cty.StringVal(c.RelDir),
		"app_version": cty.StringVal(c.appVersion),
		"description": cty.StringVal(c.description),
	})}
	val, diags := t.expr.Value(ctx)
	t.loader.diags = append(t.loader.diags, diags...)
	if diags.HasErrors() {
		t.failed = true
		return ""
	}
	val, marks := val.UnmarkDeep()
	if hasSensitive(marks) {
		// A tag and a title are published: a secret in one is public.
		t.loader.diags = append(t.loader.diags, refuseSensitive("release."+t.attr, t.expr.Range().Ptr()))
		t.failed = true
		return ""
	}
	if !val.IsWhollyKnown() {
		return ""
	}
	if val.IsNull() {
		return def
	}
	s, err := convert.Convert(val, cty.String)
	if err != nil {
		t.loader.errorf(t.expr.Range().Ptr(), "Incorrect attribute value type",
			"Inappropriate value for attribute %q: %s.", t.attr, err)
		t.failed = true
		return ""
	}
	if strings.TrimSpace(s.AsString()) == "" {
		t.loader.errorf(t.expr.Range().Ptr(), fmt.Sprintf("Empty release %s", t.attr),
			"release.%s is empty for chart %q.", t.attr, c.Name)
		t.failed = true
		return ""
	}
	return s.AsString()
}

func (t *chartTemplate) rangeOr(block hcl.Range) *hcl.Range {
	if t.expr != nil {
		return t.expr.Range().Ptr()
	}
	return block.Ptr()
}
