import { useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { c } from '../../i18n/console-en.ts';
import { Link } from '../../lib/router.tsx';
import { api } from '../api.ts';
import { ActionForm, AddSection, DataTable, formatWhen, LoadState, OpenButton, Select, useLoad } from '../data.tsx';
import { useStaff } from '../session.tsx';

export interface StaffMember {
  id: string;
  email: string | null;
  role: 'support' | 'admin';
  status: 'active' | 'suspended';
  twoFactor: boolean;
  enrolledAt: string | null;
  enrolmentPendingUntil: string | null;
  lastSignInAt: string | null;
  createdAt: string;
}

interface EnrolmentLink {
  url: string;
  expiresAt: string;
}

const t = c.staff;

/**
 * Staff (admins only): who can sign in to the console, with their second factor and last sign-in; a new
 * staff account or a reset second factor answers a one-time enrolment link, shown here once.
 */
export function StaffPage() {
  const me = useStaff();
  const { state, reload } = useLoad<{ staff: StaffMember[] }>('/admin/staff');
  const [resetting, setResetting] = useState<string>();
  const [adding, setAdding] = useState(false);
  const [link, setLink] = useState<{ who: string; enrolment: EnrolmentLink }>();
  const members = state.status === 'ready' ? state.data.staff : [];
  const current = members.find((member) => member.id === resetting);
  const issued = (who: string, enrolment: EnrolmentLink) => {
    setResetting(undefined);
    setAdding(false);
    setLink({ who, enrolment });
    reload();
  };

  return (
    <>
      <h1 tabIndex={-1}>{t.title}</h1>
      <p className="muted">{t.intro}</p>
      {link ? (
        <div className="notice notice--success" role="status">
          <div>
            <p>{t.linkFor(link.who, formatWhen(link.enrolment.expiresAt))}</p>
            <p className="code" data-testid="enrolment-link">
              {link.enrolment.url}
            </p>
            <p className="small">{t.linkOnce}</p>
          </div>
        </div>
      ) : null}
      <LoadState state={state} />
      <DataTable
        caption={t.title}
        rows={members}
        rowKey={(member) => member.id}
        columns={[
          {
            label: t.email,
            cell: (member) => (
              <>
                <Link to={`/admin/accounts/${member.id}`}>{member.email ?? member.id}</Link>
                {member.id === me.id ? <span className="muted small"> {t.you}</span> : null}
                {member.status === 'suspended' ? <span className="badge badge--cancelled">{t.suspended}</span> : null}
              </>
            ),
          },
          { label: t.role, cell: (member) => c.roles[member.role] },
          { label: t.secondFactor, cell: (member) => <SecondFactor member={member} /> },
          { label: t.lastSignIn, cell: (member) => (member.lastSignInAt ? formatWhen(member.lastSignInAt) : t.neverSignedIn) },
          {
            label: t.actions,
            cell: (member) =>
              member.id === me.id ? (
                '—'
              ) : (
                <OpenButton
                  label={t.reset(member.email ?? member.id)}
                  open={resetting === member.id}
                  onClick={() => setResetting(member.id)}
                  quiet
                />
              ),
          },
        ]}
      />
      {current ? (
        <ActionForm
          key={current.id}
          label={t.resetTitle(current.email ?? current.id)}
          submit={t.resetSubmit}
          danger
          onCancel={() => setResetting(undefined)}
          onSubmit={async (reason) => {
            const answer = await api<{ enrolment: EnrolmentLink }>(`/admin/staff/${encodeURIComponent(current.id)}/reset-second-factor`, {
              method: 'POST',
              body: { reason },
            });
            issued(current.email ?? current.id, answer.enrolment);
          }}
        >
          <h2>{t.resetTitle(current.email ?? current.id)}</h2>
          <p>{t.resetIntro}</p>
        </ActionForm>
      ) : null}
      <AddSection
        id="add-staff"
        title={t.addTitle}
        openLabel={t.addOpen}
        open={adding}
        onOpen={() => setAdding(true)}
        form={<AddStaff onCreated={issued} onCancel={() => setAdding(false)} />}
      />
    </>
  );
}

/** Enrolled (since when), or not, with the enrolment link still waiting if there is one. */
function SecondFactor({ member }: { member: StaffMember }) {
  return (
    <>
      {member.twoFactor ? (
        <span className="badge badge--completed">{t.enrolled}</span>
      ) : (
        <span className="badge badge--waiting">{t.notEnrolled}</span>
      )}
      <span className="small muted">
        {' '}
        {member.twoFactor
          ? t.enrolledSince(formatWhen(member.enrolledAt))
          : member.enrolmentPendingUntil
            ? t.linkPending(formatWhen(member.enrolmentPendingUntil))
            : t.noLink}
      </span>
    </>
  );
}

function AddStaff({ onCreated, onCancel }: { onCreated: (who: string, enrolment: EnrolmentLink) => void; onCancel: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'support' | 'admin'>('support');
  return (
    <ActionForm
      label={t.addTitle}
      submit={t.addSubmit}
      onCancel={onCancel}
      onSubmit={async (reason) => {
        const answer = await api<{ accountId: string; enrolment: EnrolmentLink }>('/admin/staff', {
          method: 'POST',
          body: { email: email.trim(), role, reason },
        });
        onCreated(email.trim().toLowerCase(), answer.enrolment);
      }}
    >
      <p className="small muted">{t.addIntro}</p>
      <Field label={t.email} type="email" value={email} onChange={setEmail} required autoComplete="off" />
      <Select
        label={t.role}
        value={role}
        onChange={(value) => setRole(value === 'admin' ? 'admin' : 'support')}
        options={[
          { value: 'support', label: t.roles.support },
          { value: 'admin', label: t.roles.admin },
        ]}
      />
    </ActionForm>
  );
}
