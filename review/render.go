package review

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"perenos/mapping"
	"perenos/store"
)

// markdown renders extracted Markdown; raw HTML in it is dropped by
// goldmark's default and whatever remains passes the sanitiser.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))

// contentPolicy is what legacy content may keep: text markup, tables,
// links and images, without scripts, event handlers, styles or
// javascript: URLs.
var contentPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// RenderMarkdown turns an item's Markdown into HTML that is safe to show.
func RenderMarkdown(md string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf); err != nil {
		return template.HTML("<pre>" + template.HTMLEscapeString(md) + "</pre>")
	}
	return template.HTML(contentPolicy.SanitizeBytes(buf.Bytes())) // #nosec: sanitised just now
}

// SanitizeOriginal makes a legacy page's HTML safe to show: its body's
// markup without scripts, handlers, styles or dangerous URLs.
func SanitizeOriginal(page string) string {
	return contentPolicy.Sanitize(page)
}

// funcs are the templates' helpers; times are shown in loc(), the region's zone.
func funcs(loc func() *time.Location) template.FuncMap {
	return template.FuncMap{
		"typeName":    func(t store.OrgType) string { return nameOr(typeNames[t], "организация") },
		"stateName":   StateName,
		"stateText":   func(s string) string { return StateName(store.State(s)) },
		"stageName":   StageName,
		"kindName":    func(k string) string { return nameOr(kindNames[k], "материал") },
		"label":       func(it mapping.Item) string { return Label(&it) },
		"fieldName":   FieldName,
		"reason":      Reason,
		"actor":       Actor,
		"evText":      EventText,
		"kindOfEvent": EventKindName,
		"count":       countAny,
		"pct":         func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
		"join":        strings.Join,
		"reasons": func(rs []string) string {
			out := make([]string, len(rs))
			for i, r := range rs {
				out[i] = Reason(r)
			}
			return strings.Join(out, "; ")
		},
		"md":   RenderMarkdown,
		"when": func(t time.Time) string { return t.In(loc()).Format("02.01.2006 15:04") },
		"size": func(n int64) string {
			switch {
			case n >= 1<<20:
				return fmt.Sprintf("%.1f МБ", float64(n)/(1<<20))
			case n >= 1<<10:
				return fmt.Sprintf("%.0f КБ", float64(n)/(1<<10))
			}
			return Count(int(n), "байт", "байта", "байт")
		},
		"add":   func(a, b int) int { return a + b },
		"day":   day,
		"upper": strings.ToUpper,
		"zone":  func(l *time.Location, at time.Time) string { return zoneText(l, at) },
		// whenIn shows a time in a given zone (an act's own).
		"whenIn": func(t time.Time, loc *time.Location) string { return t.In(loc).Format("02.01.2006 15:04") },
	}
}

// countAny is Count for the integer types templates hold (len gives int,
// ledger counters int64).
func countAny(n any, one, few, many string) (string, error) {
	switch v := n.(type) {
	case int:
		return Count(v, one, few, many), nil
	case int64:
		return Count(int(v), one, few, many), nil
	}
	return "", fmt.Errorf("count of %T", n)
}
