package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/gocty"
)

// attrReader evaluates the attributes of one block into Go values, appending
// problems to diags. An attribute that is absent or null takes its default,
// as in Terraform, so `on_conflict = null` means "the default".
//
// An attribute whose value is unknown yields its default silently: values
// are unknown only when something they depend on (a variable, a local)
// already failed and was reported, and a second error about the same root
// cause would only add noise.
type attrReader struct {
	attrs hcl.Attributes
	ctx   *hcl.EvalContext
	// block is the block's header range: the subject of problems about an
	// attribute that is missing.
	block hcl.Range
	diags *hcl.Diagnostics
	cache map[string]evaluated
}

// evaluated is one attribute's value after conversion.
type evaluated struct {
	val cty.Value
	// set is true when the attribute is present and not null, even if its
	// value was invalid.
	set bool
	// ok is true when val is known, non-null and of the wanted type.
	ok bool
	// sensitive is true when the value came from a sensitive one; val is
	// then unmarked, and must not be quoted in messages.
	sensitive bool
}

func newAttrReader(attrs hcl.Attributes, ctx *hcl.EvalContext, block hcl.Range, diags *hcl.Diagnostics) *attrReader {
	return &attrReader{attrs: attrs, ctx: ctx, block: block, diags: diags, cache: map[string]evaluated{}}
}

// get evaluates an attribute once and converts it to ty.
func (r *attrReader) get(name string, ty cty.Type) evaluated {
	if e, done := r.cache[name]; done {
		return e
	}
	e := r.eval(name, ty)
	r.cache[name] = e
	return e
}

func (r *attrReader) eval(name string, ty cty.Type) evaluated {
	attr, ok := r.attrs[name]
	if !ok {
		return evaluated{}
	}
	val, diags := attr.Expr.Value(r.ctx)
	*r.diags = append(*r.diags, diags...)
	if diags.HasErrors() {
		return evaluated{set: true}
	}
	val, marks := val.UnmarkDeep()
	if val.IsNull() {
		return evaluated{}
	}
	if !val.IsWhollyKnown() {
		return evaluated{set: true}
	}
	if hasSensitive(marks) && !sensitiveAttributes[name] {
		*r.diags = append(*r.diags, refuseSensitive(name, attr.Expr.Range().Ptr()))
		return evaluated{set: true}
	}
	conv, err := convert.Convert(val, ty)
	if err != nil {
		*r.diags = append(*r.diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Incorrect attribute value type",
			Detail:      fmt.Sprintf("Inappropriate value for attribute %q: %s.", name, err),
			Subject:     attr.Expr.Range().Ptr(),
			Expression:  attr.Expr,
			EvalContext: r.ctx,
		})
		return evaluated{set: true}
	}
	return evaluated{val: conv, set: true, ok: true, sensitive: hasSensitive(marks)}
}

// refuseSensitive is the error for a sensitive value given to an attribute
// whose value relctl shows. It names the attribute, never the value.
func refuseSensitive(name string, at *hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Sensitive value in " + name,
		Detail: fmt.Sprintf("The value of %s comes from a sensitive value (a variable with sensitive = true, or env()), and relctl shows %s in plans, release pages or messages. Use a value that is not secret; if this one is not, say so with nonsensitive(...).",
			name, name),
		Subject: at,
	}
}

// isSet reports whether the attribute is present with a non-null value,
// even an invalid one. Call it after reading the attribute with a typed
// accessor: it consults what that read found.
func (r *attrReader) isSet(name string) bool {
	return r.cache[name].set
}

// ok reports whether the attribute was read and holds a usable value.
// Like isSet, call it after a typed read.
func (r *attrReader) ok(name string) bool {
	return r.cache[name].ok
}

// rangeOf is the attribute's expression range, or the block's header when
// the attribute is absent.
func (r *attrReader) rangeOf(name string) *hcl.Range {
	if attr, ok := r.attrs[name]; ok {
		return attr.Expr.Range().Ptr()
	}
	return r.block.Ptr()
}

// expr returns the attribute's expression, nil when absent.
func (r *attrReader) expr(name string) hcl.Expression {
	if attr, ok := r.attrs[name]; ok {
		return attr.Expr
	}
	return nil
}

func (r *attrReader) str(name, def string) string {
	e := r.get(name, cty.String)
	if !e.ok {
		return def
	}
	return e.val.AsString()
}

func (r *attrReader) boolean(name string, def bool) bool {
	e := r.get(name, cty.Bool)
	if !e.ok {
		return def
	}
	return e.val.True()
}

func (r *attrReader) integer(name string, def int) int {
	e := r.get(name, cty.Number)
	if !e.ok {
		return def
	}
	var n int
	if err := gocty.FromCtyValue(e.val, &n); err != nil {
		r.addError("Incorrect attribute value type",
			fmt.Sprintf("Inappropriate value for attribute %q: a whole number is required.", name), r.rangeOf(name))
		return def
	}
	return n
}

// strings reads a list of strings; null elements are an error because a
// list of file names with a hole in it is always a mistake.
func (r *attrReader) strings(name string, def []string) []string {
	e := r.get(name, cty.List(cty.String))
	if !e.ok {
		return def
	}
	out := []string{}
	for it := e.val.ElementIterator(); it.Next(); {
		_, v := it.Element()
		if v.IsNull() {
			r.addError("Incorrect attribute value type",
				fmt.Sprintf("Inappropriate value for attribute %q: the list must not contain null.", name), r.rangeOf(name))
			return def
		}
		out = append(out, v.AsString())
	}
	return out
}

// enum reads a string that must be one of allowed. The error points at the
// attribute's expression, where the fix goes. It returns "" when the value
// is invalid or unknown (and so already reported): callers skip the checks
// that depend on it rather than guess.
func (r *attrReader) enum(name, def string, allowed ...string) string {
	v := r.str(name, def)
	if r.isSet(name) && !r.ok(name) {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.addError(fmt.Sprintf("Invalid %s value", name),
		fmt.Sprintf("%q is not a valid %s: use %s.", v, name, orList(allowed)), r.rangeOf(name))
	return ""
}

func (r *attrReader) addError(summary, detail string, subject *hcl.Range) {
	*r.diags = append(*r.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: subject})
}

// orList renders ["a","b","c"] as `"a", "b" or "c"`.
func orList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	if len(quoted) == 1 {
		return quoted[0]
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// sortedAttributes orders a block's attributes by position, so diagnostics
// come out in source order rather than Go's random map order.
func sortedAttributes(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Range.Start.Byte < out[j].Range.Start.Byte })
	return out
}
