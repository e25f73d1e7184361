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

var typeNames = map[store.OrgType]string{
	store.School: "школа", store.Preschool: "детский сад", store.Medical: "медицинская организация", store.Municipal: "орган местного самоуправления",
}

var stateNames = map[store.State]string{
	store.Registered: "зарегистрирован", store.Crawled: "сайт скачан", store.Extracted: "содержимое извлечено",
	store.Mapped: "размещено по разделам", store.InReview: "на проверке", store.Approved: "одобрено",
	store.Uploaded: "загружено на портал", store.Verified: "проверено на портале", store.ActIssued: "акт выдан",
	store.ActSigned: "акт подписан", store.Failed: "ошибка",
}

var kindNames = map[string]string{"page": "страница", "document": "документ", "record": "сведения", "news": "новость"}

var funcs = template.FuncMap{
	"typeName":  func(t store.OrgType) string { return nameOr(typeNames[t], string(t)) },
	"stateName": func(s store.State) string { return nameOr(stateNames[s], string(s)) },
	"stateText": func(s string) string { return nameOr(stateNames[store.State(s)], s) },
	"kindName":  func(k string) string { return nameOr(kindNames[k], k) },
	"pct":       func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"join":      strings.Join,
	"md":        RenderMarkdown,
	"when":      func(t time.Time) string { return t.Local().Format("02.01.2006 15:04") },
	"size": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f МБ", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.0f КБ", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d байт", n)
	},
	"add": func(a, b int) int { return a + b },
}

func nameOr(name, fallback string) string {
	if name == "" {
		return fallback
	}
	return name
}
