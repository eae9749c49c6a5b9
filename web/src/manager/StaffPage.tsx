import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import type { Role, StaffMemberFragment } from '../gql/graphql';
import { useI18n } from '../i18n/i18n';
import { useAnnouncer } from '../ui/announcer';
import { LoadProblem } from '../ui/LoadProblem';
import { describeProblem } from '../ui/errors';
import { PromoteToManagerDocument, SetUserRoleDocument, UsersDocument } from './operations';

const ROLES: readonly Role[] = ['CUSTOMER', 'CHEF', 'MANAGER'];

function StaffRow({ user }: { user: StaffMemberFragment }) {
  const { t } = useI18n();
  const { announce, focusMessage } = useAnnouncer();
  const [role, setRole] = useState<Role>(user.role);
  // The answer is a User with its id: the cache updates this row and every other list showing the user.
  const [setUserRole, { loading: changing }] = useMutation(SetUserRoleDocument);
  const [promote, { loading: promoting }] = useMutation(PromoteToManagerDocument);
  const roleName = (value: Role) => t(`role.${value}`);
  const changed = (updated: StaffMemberFragment) => {
    setRole(updated.role);
    announce(t('staff.changed', { name: updated.username, role: roleName(updated.role) }));
  };
  const failed = (error: unknown) => {
    setRole(user.role);
    announce(describeProblem(error, t).message, 'failure');
    focusMessage();
  };
  const onApply = async () => {
    try {
      const { data } = await setUserRole({ variables: { userId: user.id, role } });
      if (data) changed(data.setUserRole);
    } catch (error) {
      failed(error);
    }
  };
  const onPromote = async () => {
    try {
      const { data } = await promote({ variables: { userId: user.id } });
      if (data) changed(data.promoteToManager);
    } catch (error) {
      failed(error);
    }
  };
  const selectId = `role-${user.id}`;
  return (
    <tr>
      <th scope="row" id={`user-${user.id}`}>{user.username}</th>
      <td>{user.email}</td>
      <td>
        <div className="inline">
          <label htmlFor={selectId} className="visually-hidden">{t('staff.roleOf', { name: user.username })}</label>
          <select id={selectId} value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {ROLES.map((value) => (
              <option key={value} value={value}>{roleName(value)}</option>
            ))}
          </select>
          <button type="button" disabled={changing || role === user.role} aria-describedby={`user-${user.id}`} onClick={() => void onApply()}>
            {t('dishes.save')}
          </button>
        </div>
      </td>
      <td>
        {user.role !== 'MANAGER' && (
          <button type="button" disabled={promoting} aria-describedby={`user-${user.id}`} onClick={() => void onPromote()}>
            {t('staff.promote')}
          </button>
        )}
      </td>
    </tr>
  );
}

export function StaffPage() {
  const { t } = useI18n();
  const { data, loading, error } = useQuery(UsersDocument);
  const users = data?.users.edges.map((edge) => edge.node) ?? [];
  return (
    <section aria-labelledby="staff-title">
      <h1 id="staff-title">{t('staff.title')}</h1>
      <LoadProblem error={error} />
      {loading && !data ? (
        <p>{t('app.loading')}</p>
      ) : (
        <div className="table-scroll">
          <table className="staff">
            <thead>
              <tr>
                <th scope="col">{t('staff.username')}</th>
                <th scope="col">{t('staff.email')}</th>
                <th scope="col">{t('staff.role')}</th>
                <th scope="col"><span className="visually-hidden">{t('staff.promote')}</span></th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <StaffRow key={user.id} user={user} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
