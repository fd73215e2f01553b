package config

import (
	"testing"
)

func TestLoad_functionsUseTerraformNames(t *testing.T) {
	tests := []struct {
		expr string
		want string
	}{
		{`lower("ACME")`, "acme"},
		{`upper("acme")`, "ACME"},
		{`title("acme charts")`, "Acme Charts"},
		{`format("%s-%03d", "v", 7)`, "v-007"},
		{`join(",", formatlist("x%s", ["a", "b"]))`, "xa,xb"},
		{`join("|", split("/", "a/b"))`, "a|b"},
		{`replace("a.b.c", ".", "-")`, "a-b-c"},
		{`regex_replace("v1.2.3", "^v", "")`, "1.2.3"},
		{`trimprefix("v1", "v")`, "1"},
		{`trimsuffix("a.tgz", ".tgz")`, "a"},
		{`trimspace("  a  ")`, "a"},
		{`trim("--a--", "-")`, "a"},
		{`substr("charts", 0, 5)`, "chart"},
		{`tostring(length("abc") + length(["a"]) + length({a = 1}))`, "5"},
		{`join(",", concat(["a"], ["b"]))`, "a,b"},
		{`tostring(contains(["a"], "a"))`, "true"},
		{`coalesce("", "b")`, "b"},
		{`join(",", coalescelist([], ["x"]))`, "x"},
		{`join(",", compact(["a", "", "b"]))`, "a,b"},
		{`join(",", distinct(["a", "a"]))`, "a"},
		{`join(",", flatten([["a"], ["b"]]))`, "a,b"},
		{`join(",", keys({b = 1, a = 2}))`, "a,b"},
		{`join(",", values({a = "x"}))`, "x"},
		{`lookup({a = "x"}, "b", "d")`, "d"},
		{`merge({a = "x"}, {a = "y"}).a`, "y"},
		{`element(["a", "b"], 1)`, "b"},
		{`join(",", slice(["a", "b", "c"], 1, 2))`, "b"},
		{`join(",", sort(["b", "a"]))`, "a,b"},
		{`join(",", reverse(["a", "b"]))`, "b,a"},
		{`join(",", range(3))`, "0,1,2"},
		{`tostring(min(3, 1) + max(1, 2) + abs(-1) + ceil(1.2) + floor(1.8))`, "7"},
		{`tostring(tonumber("3") + 1)`, "4"},
		{`tostring(tobool("true"))`, "true"},
		{`join(",", tolist(toset(["a"])))`, "a"},
		{`tomap({a = "x"}).a`, "x"},
		{`jsonencode({a = 1})`, `{"a":1}`},
		{`jsondecode("{\"a\": \"x\"}").a`, "x"},
		{`csvdecode("a,b\n1,2")[0].b`, "2"},
		{`chomp("a\n")`, "a"},
		{`indent(2, "a\nb")`, "a\n  b"},
		{`regex("v([0-9]+)", "v12")[0]`, "12"},
		{`tostring(length(regexall("a", "banana")))`, "3"},
		{`strrev("abc")`, "cba"},
		{`join(",", setunion(["a"], ["b"]))`, "a,b"},
		{`zipmap(["a"], ["x"]).a`, "x"},
		{`file("notes.tmpl")`, "notes from a file\n"},
		{`nonsensitive(env("SET"))`, "value"},
		{`nonsensitive(env("UNSET"))`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			dir := writeTree(t, withPodinfo(map[string]string{
				"relctl.hcl": minimalSpec + "release {\n  notes_template = " + tt.expr + "\n}\n",
				"notes.tmpl": "notes from a file\n",
			}))

			got := mustLoad(t, hermetic(LoadOptions{Dir: dir}, map[string]string{"SET": "value"}))

			if got.Release.NotesTemplate != tt.want {
				t.Errorf("%s = %q, want %q", tt.expr, got.Release.NotesTemplate, tt.want)
			}
		})
	}
}
