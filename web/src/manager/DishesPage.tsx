import { useMutation, useQuery } from '@apollo/client/react';
import { useRef } from 'react';
import type { ManagedDishFragment } from '../gql/graphql';
import { useI18n } from '../i18n/i18n';
import { useAnnouncer } from '../ui/announcer';
import { LoadProblem } from '../ui/LoadProblem';
import { describeProblem } from '../ui/errors';
import { Field } from '../ui/Field';
import { useFormProblem } from '../ui/useFormProblem';
import { AllDishesDocument, CreateDishDocument, DeleteDishDocument, UpdateDishDocument } from './operations';

function NewDishForm() {
  const { t } = useI18n();
  const { announce } = useAnnouncer();
  const form = useFormProblem();
  const nameInput = useRef<HTMLInputElement>(null);
  const [createDish, { loading }] = useMutation(CreateDishDocument, {
    update: (cache, { data }) => {
      const ref = data && cache.identify(data.createDish);
      if (!ref) return;
      cache.modify({
        id: 'ROOT_QUERY',
        fields: {
          // Every cached dish list gets it; the menu lists it if it can be ordered (menuUpdates says so too).
          dishes: (existing, { toReference }) => (Array.isArray(existing) ? [...existing, toReference(ref)] : existing),
        },
      });
    },
  });
  const onSubmit = form.onSubmit(async (values, element) => {
    const description = String(values.get('description') ?? '').trim();
    const { data } = await createDish({
      variables: {
        input: {
          name: String(values.get('name')),
          price: String(values.get('price')),
          quantity: Number(values.get('quantity')),
          isAvailable: values.get('isAvailable') === 'on',
          ...(description ? { description } : {}),
        },
      },
    });
    if (data) {
      element.reset();
      announce(t('dishes.created', { name: data.createDish.name }));
      nameInput.current?.focus();
    }
  });
  return (
    <form onSubmit={onSubmit} className="card dish-form" aria-labelledby="new-dish-title" noValidate>
      <h2 id="new-dish-title">{t('dishes.new')}</h2>
      <div className="grid">
        <Field ref={nameInput} label={t('dishes.name')} name="name" required maxLength={100} error={form.at('name')} />
        <Field label={t('dishes.price')} name="price" inputMode="decimal" required error={form.at('price')} />
        <Field label={t('dishes.quantity')} name="quantity" type="number" min={0} required defaultValue={0} error={form.at('quantity')} />
        <Field label={t('dishes.description')} name="description" error={form.at('description')} className="wide" />
        <Field label={t('dishes.available')} name="isAvailable" type="checkbox" defaultChecked />
      </div>
      <button type="submit" className="primary" disabled={loading}>{t('dishes.create')}</button>
    </form>
  );
}

function DishRow({ dish }: { dish: ManagedDishFragment }) {
  const { t } = useI18n();
  const { announce, focusMessage } = useAnnouncer();
  const form = useFormProblem();
  const [updateDish, { loading: saving }] = useMutation(UpdateDishDocument);
  const [deleteDish, { loading: deleting }] = useMutation(DeleteDishDocument, {
    update: (cache, { data }) => {
      if (!data?.deleteDish) return;
      // Gone from every list that showed it: Apollo drops references to an evicted object.
      cache.evict({ id: cache.identify(dish) });
      cache.gc();
    },
  });
  const onSave = form.onSubmit(async (values) => {
    await updateDish({
      variables: {
        id: dish.id,
        input: { price: String(values.get('price')), quantity: Number(values.get('quantity')), isAvailable: values.get('isAvailable') === 'on' },
      },
    });
    announce(t('dishes.saved', { name: dish.name }));
  });
  const onDelete = async () => {
    if (!window.confirm(t('dishes.confirmDelete', { name: dish.name }))) return;
    try {
      await deleteDish({ variables: { id: dish.id } });
      announce(t('dishes.deleted', { name: dish.name }));
    } catch (error) {
      announce(describeProblem(error, t).message, 'failure');
    }
    focusMessage();
  };
  return (
    <li className="card">
      <form onSubmit={onSave} aria-label={t('dishes.edit', { name: dish.name })} noValidate>
        <h3 id={`dish-${dish.id}`}>{dish.name}</h3>
        {dish.description && <p className="hint">{dish.description}</p>}
        <div className="grid">
          <Field label={t('dishes.price')} name="price" inputMode="decimal" defaultValue={dish.price} key={`price-${dish.price}`} error={form.at('price')} />
          <Field label={t('dishes.quantity')} name="quantity" type="number" min={0} defaultValue={dish.quantity} key={`quantity-${dish.quantity}`} error={form.at('quantity')} />
          <Field label={t('dishes.available')} name="isAvailable" type="checkbox" defaultChecked={dish.isAvailable} key={`available-${String(dish.isAvailable)}`} />
        </div>
          <div className="actions">
          <button type="submit" className="primary" disabled={saving} aria-describedby={`dish-${dish.id}`}>{t('dishes.save')}</button>
          <button type="button" className="danger" disabled={deleting} aria-describedby={`dish-${dish.id}`} onClick={() => void onDelete()}>{t('dishes.delete')}</button>
        </div>
      </form>
    </li>
  );
}

export function DishesPage() {
  const { t } = useI18n();
  const { data, loading, error } = useQuery(AllDishesDocument);
  const dishes = data?.dishes ?? [];
  return (
    <section aria-labelledby="dishes-title">
      <h1 id="dishes-title">{t('dishes.title')}</h1>
      <LoadProblem error={error} />
      <NewDishForm />
      {loading && !data ? (
        <p>{t('app.loading')}</p>
      ) : dishes.length === 0 ? (
        <p>{t('dishes.empty')}</p>
      ) : (
        <ul className="cards dishes">
          {dishes.map((dish) => (
            <DishRow key={dish.id} dish={dish} />
          ))}
        </ul>
      )}
    </section>
  );
}
