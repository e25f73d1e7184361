package report

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteActs writes a site's acts as perenos act show prints them, in
// Russian: for each act its number and version and what stands of it
// (выдан, подписан, аннулирован), when and by whom it was issued, its
// files, its signing record and the signing records voided. Times are in
// each act's own zone (fallback for acts that recorded none).
func WriteActs(w io.Writer, acts []*Act, fallback *time.Location) error {
	var b strings.Builder
	for _, a := range acts {
		loc := a.Location(fallback)
		when := func(t time.Time) string { return t.In(loc).Format("02.01.2006 15:04") }
		status := "выдан, не подписан"
		switch {
		case a.Void != nil:
			status = "аннулирован"
		case a.Signature != nil:
			status = "подписан"
		}
		fmt.Fprintf(&b, "Акт № %s, версия %d — %s\n", a.Number, a.Version, status)
		fmt.Fprintf(&b, "  выдан %s (%s), выдал %s; %s, SHA-256 перечня %s\n", when(a.Issued), loc, a.IssuedBy,
			countOf(a.Items, "позиция", "позиции", "позиций"), a.ManifestSHA256)
		if a.Replaces != "" {
			fmt.Fprintf(&b, "  выдан взамен аннулированного акта %s\n", strings.Replace(a.Replaces, " v", ", версия ", 1))
		}
		fmt.Fprintf(&b, "  файлы: %s, %s, %s\n", a.PDF, a.HTML, a.Manifest)
		for _, v := range a.VoidedSignatures {
			fmt.Fprintf(&b, "  запись о подписании аннулирована %s (%s): %s; была: подписал %s %s, скан SHA-256 %s (%s)\n",
				when(v.VoidedAt), v.VoidedBy, v.Reason, v.SignedBy, signedOn(v.Date), v.ScanSHA256, v.Scan)
		}
		if s := a.Signature; s != nil {
			fmt.Fprintf(&b, "  подписал %s %s; скан SHA-256 %s (%s), записал %s %s\n", s.SignedBy, signedOn(s.Date), s.ScanSHA256, s.Scan, s.RecordedBy, when(s.Recorded))
		}
		if v := a.Void; v != nil {
			why := "по решению оператора: " + v.Reason
			if v.Rollback {
				why = "при откате переноса: перенесённое удалено с портала"
			}
			fmt.Fprintf(&b, "  аннулирован %s (%s) %s; номер %s другому акту не присваивается\n", when(v.At), v.By, why, a.Number)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
