package config

import (
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Redacted stands for a sensitive value wherever a message would show it,
// as Terraform writes it.
const Redacted = "(sensitive value)"

// valueMark is the type of the marks relctl puts on cty values.
type valueMark string

// sensitive marks a value that must never be shown: the value of a variable
// declared `sensitive = true`, whatever env() reads (environments hold
// tokens), and everything computed from them, since cty carries marks
// through operators, templates and functions.
const sensitive valueMark = "sensitive"

// minRedacted is the shortest secret the last-resort redaction replaces in
// free text. Shorter values ("1", "yes") would blank out unrelated words of
// every message; they are still hidden wherever a value is quoted on
// purpose, which is decided from the marks, not from the text.
const minRedacted = 6

// sensitiveAttributes may take a sensitive value: a Sigstore URL may carry
// credentials, and plans, notes and diagnostics never show it. (A signing
// failure's error names the service URL: providers/cosign does not know
// it is sensitive.) Every other attribute ends up in plans, release pages,
// tags or messages, so a sensitive value there is refused rather than
// published.
var sensitiveAttributes = map[string]bool{"fulcio_url": true, "rekor_url": true}

func hasSensitive(marks cty.ValueMarks) bool {
	_, ok := marks[sensitive]
	return ok
}

// secrets remembers the text of sensitive values, so that a message built
// from one without its mark (an error of a function, of a conversion, a
// snippet of a variables file) can still be redacted before it is shown.
type secrets map[string]bool

// remember records every string in v (strings, and numbers and bools as
// they print), however deep, marked or not.
func (s secrets) remember(v cty.Value) {
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() || v.IsNull() {
		return
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		s.add(v.AsString())
	case ty == cty.Number:
		s.add(v.AsBigFloat().Text('f', -1))
	case ty.IsCollectionType() || ty.IsObjectType() || ty.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			s.remember(e)
		}
	}
}

func (s secrets) add(text string) {
	if len(strings.TrimSpace(text)) >= minRedacted {
		s[text] = true
	}
}

// redactor replaces remembered secrets in text, longest first so that a
// secret containing another is replaced whole.
type redactor []string

func (s secrets) redactor() redactor {
	out := make(redactor, 0, len(s))
	for text := range s {
		out = append(out, text)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

func (r redactor) redact(text string) string {
	for _, s := range r {
		text = strings.ReplaceAll(text, s, Redacted)
	}
	return text
}

// nonsensitiveFunc is Terraform's nonsensitive(): the author declares that a
// value computed from a sensitive one may be shown (a repository owner read
// with env(), say).
var nonsensitiveFunc = function.New(&function.Spec{
	Params: []function.Parameter{{
		Name: "value", Type: cty.DynamicPseudoType,
		AllowMarked: true, AllowNull: true, AllowUnknown: true, AllowDynamicType: true,
	}},
	Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		// Deep: a list read with env() is marked element by element.
		v, _ := args[0].UnmarkDeep()
		return v, nil
	},
})
