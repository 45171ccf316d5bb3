import { useApp } from '../store/context.js';

/** Requests put aside with Esc keep waiting; this says so above the composer and brings them back. */
export function PendingApprovals() {
  const hidden = useApp((s) => s.pendingPermissions.filter((r) => s.hiddenApprovals[r.requestId]).length);
  const review = useApp((s) => s.reviewApprovals);
  if (!hidden) return null;
  return (
    <div className="pending-approvals" role="status" data-testid="pending-approvals">
      <span>
        {hidden === 1 ? 'A request waits for your answer.' : `${hidden} requests wait for your answer.`}
      </span>
      <button type="button" className="chip" onClick={() => review()} data-testid="review-approvals">
        Review
      </button>
    </div>
  );
}
