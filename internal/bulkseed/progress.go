package bulkseed

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws one phase's progress bar on a terminal (redrawn in place at most 5
// times a second), or a line per 10 % when the output is a file or a pipe.
type progress struct {
	w          io.Writer
	tty        bool
	label      string
	unit       string
	total      int64
	done       int64
	start      time.Time
	last       time.Time
	lastDecile int64
}

func newProgress(w io.Writer, label, unit string, total int64) *progress {
	p := &progress{w: w, label: label, unit: unit, total: total, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) add(n int64) {
	if p == nil || p.w == nil {
		return
	}
	p.done += n
	now := time.Now()
	if p.tty {
		if now.Sub(p.last) >= 200*time.Millisecond || p.done >= p.total {
			p.last = now
			fmt.Fprintf(p.w, "\r%s", p.line(now))
		}
		return
	}
	if p.total > 0 {
		if d := p.done * 10 / p.total; d > p.lastDecile {
			p.lastDecile = d
			fmt.Fprintln(p.w, p.line(now))
		}
	}
}

func (p *progress) line(now time.Time) string {
	elapsed := now.Sub(p.start)
	rate := float64(p.done) / max(elapsed.Seconds(), 1e-3)
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = min(1, float64(p.done)/float64(p.total))
	}
	filled := int(frac * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	if filled < width {
		bar = strings.Repeat("=", filled) + ">" + strings.Repeat(" ", width-filled-1)
	}
	eta := "-"
	if rate > 0 && p.done < p.total {
		eta = time.Duration(float64(p.total-p.done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	return fmt.Sprintf("%-12s [%s] %3.0f%% %d/%d %s  %s/s  elapsed %s  eta %s ",
		p.label, bar, frac*100, p.done, p.total, p.unit, humanRate(rate), elapsed.Round(time.Second), eta)
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p == nil || p.w == nil {
		return
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\n", p.line(time.Now()))
	} else if p.lastDecile < 10 {
		fmt.Fprintln(p.w, p.line(time.Now()))
	}
}

func humanRate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.1fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}

// logf writes a phase line (nothing when there is no progress output).
func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
