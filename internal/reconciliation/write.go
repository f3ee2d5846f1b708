package reconciliation

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/pspbackoffice/backoffice/ent"
	"github.com/pspbackoffice/backoffice/ent/reconciliationmismatch"
	"github.com/pspbackoffice/backoffice/ent/reconciliationreport"
	"github.com/pspbackoffice/backoffice/internal/audit"
	"github.com/pspbackoffice/backoffice/internal/auth"
	"github.com/pspbackoffice/backoffice/internal/db"
	"github.com/pspbackoffice/backoffice/internal/domain"
)

// MaxNoteLength bounds a resolution note (docs/input-bounds.md).
const MaxNoteLength = 1000

// write replaces the content of the day's report with the findings, in one
// transaction (package doc). A difference found again is kept with its resolution.
func (s *Service) write(ctx context.Context, pspID string, pr domain.Provider, day domain.Date, checked int, findings []Finding) (*ent.ReconciliationReport, error) {
	var rep *ent.ReconciliationReport
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		err = s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			rep, err = replaceReport(ctx, tx.Ent, pspID, pr, day, checked, findings)
			return err
		})
		if !ent.IsConstraintError(err) {
			break
		}
		// Another run of the same day inserted first: replace its report.
	}
	return rep, err
}

func replaceReport(ctx context.Context, c *ent.Client, pspID string, pr domain.Provider, day domain.Date, checked int, findings []Finding) (*ent.ReconciliationReport, error) {
	status := domain.ReconciliationMatched
	if len(findings) > 0 {
		status = domain.ReconciliationMismatched
	}
	the := reconciliationreport.And(reconciliationreport.PspID(pspID), reconciliationreport.ProviderEQ(pr), reconciliationreport.Date(day))
	// The report row first: updating it takes its lock, so a concurrent run of the
	// same day waits here and then reads the differences this one wrote.
	n, err := c.ReconciliationReport.Update().Where(the).SetStatus(status).SetOperationsChecked(checked).
		SetUpdatedAt(time.Now()).Save(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		if _, err := c.ReconciliationReport.Create().SetPspID(pspID).SetProvider(pr).SetDate(day).SetStatus(status).
			SetOperationsChecked(checked).Save(ctx); err != nil {
			return nil, err
		}
	}
	rep, err := c.ReconciliationReport.Query().Where(the).Only(ctx)
	if err != nil {
		return nil, err
	}
	old, err := c.ReconciliationMismatch.Query().Where(reconciliationmismatch.ReportID(rep.ID)).All(ctx)
	if err != nil {
		return nil, err
	}
	// A difference found again, to the amount, stays as it is (with its resolution);
	// one no longer found goes; a new one is added, resolved when the same
	// difference (other amounts) was resolved before.
	same, resolved := map[string]*ent.ReconciliationMismatch{}, map[string]*ent.ReconciliationMismatch{}
	for _, m := range old {
		same[exactKeyOf(m)] = m
		if m.ResolvedAt != nil {
			resolved[keyOf(m)] = m
		}
	}
	var fresh []Finding
	for _, f := range findings {
		k := f.exactKey()
		if same[k] != nil {
			delete(same, k)
			continue
		}
		fresh = append(fresh, f)
	}
	var gone []string
	for _, m := range same {
		gone = append(gone, m.ID)
	}
	for chunk := range slices.Chunk(gone, 500) {
		if _, err := c.ReconciliationMismatch.Delete().Where(reconciliationmismatch.IDIn(chunk...)).Exec(ctx); err != nil {
			return nil, err
		}
	}
	for chunk := range slices.Chunk(fresh, 500) {
		creates := make([]*ent.ReconciliationMismatchCreate, len(chunk))
		for i, f := range chunk {
			cr := c.ReconciliationMismatch.Create().SetReportID(rep.ID).SetPspID(pspID).SetKind(f.Kind).
				SetProviderReference(f.ProviderReference).SetDetail(truncate(f.Detail, 500)).SetNillableOursMinor(f.Ours).
				SetNillableTheirsMinor(f.Theirs)
			if f.Currency != "" {
				cr.SetCurrency(f.Currency)
			}
			if f.OrderID != "" {
				cr.SetOrderID(f.OrderID)
			}
			if f.OperationID != "" {
				cr.SetOperationID(f.OperationID)
			}
			if prev := resolved[f.key()]; prev != nil {
				cr.SetNillableResolvedAt(prev.ResolvedAt).SetNillableResolvedBy(prev.ResolvedBy).SetNillableResolutionNote(prev.ResolutionNote)
			}
			creates[i] = cr
		}
		if err := c.ReconciliationMismatch.CreateBulk(creates...).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func findingOf(m *ent.ReconciliationMismatch) Finding {
	return Finding{Kind: m.Kind, OrderID: deref(m.OrderID), OperationID: deref(m.OperationID),
		ProviderReference: m.ProviderReference, Ours: m.OursMinor, Theirs: m.TheirsMinor, Detail: m.Detail}
}

func keyOf(m *ent.ReconciliationMismatch) string      { return findingOf(m).key() }
func exactKeyOf(m *ent.ReconciliationMismatch) string { return findingOf(m).exactKey() }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// observe sets the gauge of a provider's unresolved differences, by kind.
func (s *Service) observe(ctx context.Context, pr domain.Provider) {
	var rows []struct {
		Kind  domain.MismatchKind `json:"kind"`
		Count int                 `json:"count"`
	}
	err := s.cfg.DB.Ent.ReconciliationMismatch.Query().Where(reconciliationmismatch.ResolvedAtIsNil(),
		reconciliationmismatch.HasReportWith(reconciliationreport.ProviderEQ(pr))).
		GroupBy(reconciliationmismatch.FieldKind).Aggregate(ent.Count()).Scan(auth.System(ctx), &rows)
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "reconciliation metric", "err", err)
		return
	}
	for _, k := range domain.MismatchKind("").Values() {
		n := 0
		for _, r := range rows {
			if string(r.Kind) == k {
				n = r.Count
			}
		}
		s.mismatches.WithLabelValues(string(pr), k).Set(float64(n))
	}
}

// ResolveInput is resolveMismatch's input.
type ResolveInput struct {
	MismatchID string
	Note       string
}

// Resolve records what staff did about a difference: who, when and their note.
func (s *Service) Resolve(ctx context.Context, in ResolveInput) (*ent.ReconciliationMismatch, error) {
	p := auth.From(ctx)
	if p == nil || !p.IsPSPStaff() || p.MerchantID != "" {
		return nil, refuse(ErrForbidden, nil, "only PSP staff resolve reconciliation differences")
	}
	note := strings.TrimSpace(in.Note)
	if note == "" || len(note) > MaxNoteLength {
		return nil, refuse(ErrInvalidNote, domain.Field("note"), "note is required, at most 1000 characters: say what was done")
	}
	var out *ent.ReconciliationMismatch
	err := s.cfg.DB.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		m, err := tx.Ent.ReconciliationMismatch.Get(ctx, in.MismatchID)
		if ent.IsNotFound(err) {
			return refuse(ErrMismatchNotFound, domain.Field("mismatchId"), "no such reconciliation difference")
		}
		if err != nil {
			return err
		}
		if m.ResolvedAt != nil {
			return refuse(ErrAlreadyResolved, domain.Field("mismatchId"), "this difference was already resolved")
		}
		n, err := tx.Ent.ReconciliationMismatch.Update().Where(reconciliationmismatch.ID(m.ID), reconciliationmismatch.ResolvedAtIsNil()).
			SetResolvedAt(s.cfg.Now().UTC().Truncate(time.Microsecond)).SetResolvedBy(p.ID).SetResolutionNote(note).Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return refuse(ErrAlreadyResolved, domain.Field("mismatchId"), "this difference was already resolved")
		}
		if out, err = tx.Ent.ReconciliationMismatch.Get(ctx, m.ID); err != nil {
			return err
		}
		return audit.WriteTx(ctx, tx.Ent, audit.Event{Action: "resolveMismatch", ObjectIDs: []string{m.ID},
			Input: map[string]any{"mismatchId": m.ID, "note": note}})
	})
	if err != nil {
		return nil, err
	}
	if r, err := s.cfg.DB.Ent.ReconciliationReport.Get(ctx, out.ReportID); err == nil {
		s.observe(ctx, r.Provider)
	}
	return out, nil
}
