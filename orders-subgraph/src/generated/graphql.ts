import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Dish as DishModel, Order as OrderModel, OrderItem as OrderItemModel, OrderStatusChange as OrderStatusChangeModel } from '@dishpatch/orders-core/entities';
import type { OrderPage as OrderPageModel } from '@dishpatch/orders-core/orders';
import type { UserReference } from '../resolvers/user.js';
import type { OrdersContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** ISO-8601 date-time in UTC, e.g. 2026-11-27T12:00:00.000Z */
  DateTime: { input: Date; output: Date; }
  /** Exact decimal amount with two fraction digits, serialized as a string, e.g. "12.50". Never a float. */
  Money: { input: import("@dishpatch/orders-core/money").MoneyInput; output: string; }
  _FieldSet: { input: unknown; output: unknown; }
};

/** name: 1-100 chars; price: > 0 and < 100000000, at most two fraction digits; quantity: >= 0. */
export type CreateDishInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  isAvailable?: InputMaybe<Scalars['Boolean']['input']>;
  name: Scalars['String']['input'];
  price: Scalars['Money']['input'];
  quantity: Scalars['Int']['input'];
};

/** A menu item with its stock. Owned by the orders subgraph (entity key: id). */
export type Dish = {
  __typename?: 'Dish';
  createdAt: Scalars['DateTime']['output'];
  description?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  isAvailable: Scalars['Boolean']['output'];
  name: Scalars['String']['output'];
  price: Scalars['Money']['output'];
  /** Units in stock. */
  quantity: Scalars['Int']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Staff (CHEF, MANAGER) only: moves the order one stage forward now. */
  advanceOrder: Order;
  /** The owner while WAITING; staff while WAITING or IN_PROGRESS. Puts the units back in stock. */
  cancelOrder: Order;
  /** MANAGER only. */
  createDish: Dish;
  /** MANAGER only. The dish leaves the menu; orders that contain it keep it in their history. */
  deleteDish: Scalars['Boolean']['output'];
  /** Signed-in users. Takes the units out of stock atomically: either every line is reserved or none is. */
  placeOrder: Order;
  /** MANAGER only. */
  updateDish: Dish;
};


export type MutationAdvanceOrderArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCancelOrderArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCreateDishArgs = {
  input: CreateDishInput;
};


export type MutationDeleteDishArgs = {
  id: Scalars['ID']['input'];
};


export type MutationPlaceOrderArgs = {
  input: PlaceOrderInput;
};


export type MutationUpdateDishArgs = {
  id: Scalars['ID']['input'];
  input: UpdateDishInput;
};

/** Owned by the orders subgraph (entity key: id). The orders subgraph knows the customer by id only. */
export type Order = {
  __typename?: 'Order';
  createdAt: Scalars['DateTime']['output'];
  /**
   * Resolved by the gateway from the auth subgraph. Null when that account no longer exists
   * (no error), or when auth cannot be reached (with a SERVICE_UNAVAILABLE error at this path).
   */
  customer?: Maybe<User>;
  id: Scalars['ID']['output'];
  items: Array<OrderItem>;
  specialRequests?: Maybe<Scalars['String']['output']>;
  status: OrderStatus;
  /** Every status the order has had, oldest first, starting with WAITING at creation. */
  statusHistory: Array<OrderStatusChange>;
  /** Sum of the subtotals, exact. */
  total: Scalars['Money']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type OrderConnection = {
  __typename?: 'OrderConnection';
  edges: Array<OrderEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type OrderEdge = {
  __typename?: 'OrderEdge';
  cursor: Scalars['String']['output'];
  node: Order;
};

export type OrderItem = {
  __typename?: 'OrderItem';
  dish: Dish;
  /** Unit price at the moment the order was placed. */
  price: Scalars['Money']['output'];
  quantity: Scalars['Int']['output'];
  /** price x quantity, exact. */
  subtotal: Scalars['Money']['output'];
};

export type OrderItemInput = {
  dishId: Scalars['ID']['input'];
  /** 1-100 units. */
  quantity: Scalars['Int']['input'];
};

/** WAITING -> IN_PROGRESS -> DONE; WAITING or IN_PROGRESS -> CANCELLED. */
export type OrderStatus =
  | 'CANCELLED'
  | 'DONE'
  | 'IN_PROGRESS'
  | 'WAITING';

export type OrderStatusChange = {
  __typename?: 'OrderStatusChange';
  at: Scalars['DateTime']['output'];
  status: OrderStatus;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/**
 * items: 1-50 lines; the same dish twice is BAD_USER_INPUT. specialRequests: at most 500 chars.
 * idempotencyKey: 1-100 chars, chosen by the client once per checkout and sent again on every
 * retry of it. The same key from the same user within 24 h returns the first call's order and
 * reserves nothing again, also while the first call is still running or if the first call's
 * answer was lost; the same key with different items or specialRequests is CONFLICT.
 */
export type PlaceOrderInput = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  items: Array<OrderItemInput>;
  specialRequests?: InputMaybe<Scalars['String']['input']>;
};

export type Query = {
  __typename?: 'Query';
  dish?: Maybe<Dish>;
  /** includeUnavailable: true is MANAGER only. */
  dishes: Array<Dish>;
  /** Dishes a customer can order now: available and in stock. Anyone, signed in or not. */
  menu: Array<Dish>;
  /** The signed-in user's orders, newest first; first: 1-100. */
  myOrders: OrderConnection;
  /** The owner, or staff (CHEF, MANAGER). */
  order?: Maybe<Order>;
  /** Staff (CHEF, MANAGER) only: every order, newest first; first: 1-100. */
  orders: OrderConnection;
};


export type QueryDishArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDishesArgs = {
  includeUnavailable?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryMyOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<OrderStatus>;
};


export type QueryOrderArgs = {
  id: Scalars['ID']['input'];
};


export type QueryOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<OrderStatus>;
};

/**
 * Live updates. The gateway serves these itself (over multipart HTTP, SSE and WebSocket), fed by
 * the live-events stream, and resolves each event's selection as a query (\`order\`, \`menu\`) through
 * the federation; this subgraph never executes a subscription.
 */
export type Subscription = {
  __typename?: 'Subscription';
  /** Staff (CHEF, MANAGER): every order that is placed, moves or is cancelled (the kitchen board's feed). */
  kitchenUpdates: Order;
  /** Anyone: the menu as it is now, then again each time it changes (a dish added, changed, sold out or removed). */
  menuUpdates: Array<Dish>;
  /** Signed-in users: each of the viewer's orders that is placed, moves or is cancelled. */
  myOrderUpdates: Order;
  /** The owner or staff. Emits the order, then each change of its status; completes after DONE or CANCELLED. */
  orderUpdated: Order;
};


/**
 * Live updates. The gateway serves these itself (over multipart HTTP, SSE and WebSocket), fed by
 * the live-events stream, and resolves each event's selection as a query (\`order\`, \`menu\`) through
 * the federation; this subgraph never executes a subscription.
 */
export type SubscriptionOrderUpdatedArgs = {
  id: Scalars['ID']['input'];
};

/** Only the fields given are changed. */
export type UpdateDishInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  isAvailable?: InputMaybe<Scalars['Boolean']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  price?: InputMaybe<Scalars['Money']['input']>;
  quantity?: InputMaybe<Scalars['Int']['input']>;
};

/** A person with an account. Owned by the auth subgraph (entity key: id). */
export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
  /** Visible to the user themself and to staff (CHEF, MANAGER). */
  orders: OrderConnection;
};


/** A person with an account. Owned by the auth subgraph (entity key: id). */
export type UserOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<OrderStatus>;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  Dish: Dish;
  Order: Order;
  User: User;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Dish:
    ( { __typename: 'Dish' }
    & GraphQLRecursivePick<FederationTypes['Dish'], {"id":true}> );
  Order:
    ( { __typename: 'Order' }
    & GraphQLRecursivePick<FederationTypes['Order'], {"id":true}> );
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  CreateDishInput: CreateDishInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Dish: ResolverTypeWrapper<DishModel>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Money: ResolverTypeWrapper<Scalars['Money']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Order: ResolverTypeWrapper<OrderModel>;
  OrderConnection: ResolverTypeWrapper<OrderPageModel>;
  OrderEdge: ResolverTypeWrapper<Omit<OrderEdge, 'node'> & { node: ResolversTypes['Order'] }>;
  OrderItem: ResolverTypeWrapper<OrderItemModel>;
  OrderItemInput: OrderItemInput;
  OrderStatus: OrderStatus;
  OrderStatusChange: ResolverTypeWrapper<OrderStatusChangeModel>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PlaceOrderInput: PlaceOrderInput;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateDishInput: UpdateDishInput;
  User: ResolverTypeWrapper<UserReference>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  CreateDishInput: CreateDishInput;
  String: Scalars['String']['output'];
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
  DateTime: Scalars['DateTime']['output'];
  Dish: DishModel;
  ID: Scalars['ID']['output'];
  Money: Scalars['Money']['output'];
  Mutation: Record<PropertyKey, never>;
  Order: OrderModel;
  OrderConnection: OrderPageModel;
  OrderEdge: Omit<OrderEdge, 'node'> & { node: ResolversParentTypes['Order'] };
  OrderItem: OrderItemModel;
  OrderItemInput: OrderItemInput;
  OrderStatusChange: OrderStatusChangeModel;
  PageInfo: PageInfo;
  PlaceOrderInput: PlaceOrderInput;
  Query: Record<PropertyKey, never>;
  Subscription: Record<PropertyKey, never>;
  UpdateDishInput: UpdateDishInput;
  User: UserReference;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DishResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['Dish'] = ResolversParentTypes['Dish'], FederationReferenceType extends FederationReferenceTypes['Dish'] = FederationReferenceTypes['Dish']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Dish']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  isAvailable?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  price?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  quantity?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export interface MoneyScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Money'], any> {
  name: 'Money';
}

export type MutationResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  advanceOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationAdvanceOrderArgs, 'id'>>;
  cancelOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationCancelOrderArgs, 'id'>>;
  createDish?: Resolver<ResolversTypes['Dish'], ParentType, ContextType, RequireFields<MutationCreateDishArgs, 'input'>>;
  deleteDish?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteDishArgs, 'id'>>;
  placeOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationPlaceOrderArgs, 'input'>>;
  updateDish?: Resolver<ResolversTypes['Dish'], ParentType, ContextType, RequireFields<MutationUpdateDishArgs, 'id' | 'input'>>;
}>;

export type OrderResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['Order'] = ResolversParentTypes['Order'], FederationReferenceType extends FederationReferenceTypes['Order'] = FederationReferenceTypes['Order']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Order']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  customer?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  items?: Resolver<Array<ResolversTypes['OrderItem']>, ParentType, ContextType>;
  specialRequests?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['OrderStatus'], ParentType, ContextType>;
  statusHistory?: Resolver<Array<ResolversTypes['OrderStatusChange']>, ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type OrderConnectionResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['OrderConnection'] = ResolversParentTypes['OrderConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['OrderEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type OrderEdgeResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['OrderEdge'] = ResolversParentTypes['OrderEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Order'], ParentType, ContextType>;
}>;

export type OrderItemResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['OrderItem'] = ResolversParentTypes['OrderItem']> = ResolversObject<{
  dish?: Resolver<ResolversTypes['Dish'], ParentType, ContextType>;
  price?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  quantity?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  subtotal?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
}>;

export type OrderStatusChangeResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['OrderStatusChange'] = ResolversParentTypes['OrderStatusChange']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['OrderStatus'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  dish?: Resolver<Maybe<ResolversTypes['Dish']>, ParentType, ContextType, RequireFields<QueryDishArgs, 'id'>>;
  dishes?: Resolver<Array<ResolversTypes['Dish']>, ParentType, ContextType, RequireFields<QueryDishesArgs, 'includeUnavailable'>>;
  menu?: Resolver<Array<ResolversTypes['Dish']>, ParentType, ContextType>;
  myOrders?: Resolver<ResolversTypes['OrderConnection'], ParentType, ContextType, RequireFields<QueryMyOrdersArgs, 'first'>>;
  order?: Resolver<Maybe<ResolversTypes['Order']>, ParentType, ContextType, RequireFields<QueryOrderArgs, 'id'>>;
  orders?: Resolver<ResolversTypes['OrderConnection'], ParentType, ContextType, RequireFields<QueryOrdersArgs, 'first'>>;
}>;

export type SubscriptionResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  kitchenUpdates?: SubscriptionResolver<ResolversTypes['Order'], "kitchenUpdates", ParentType, ContextType>;
  menuUpdates?: SubscriptionResolver<Array<ResolversTypes['Dish']>, "menuUpdates", ParentType, ContextType>;
  myOrderUpdates?: SubscriptionResolver<ResolversTypes['Order'], "myOrderUpdates", ParentType, ContextType>;
  orderUpdated?: SubscriptionResolver<ResolversTypes['Order'], "orderUpdated", ParentType, ContextType, RequireFields<SubscriptionOrderUpdatedArgs, 'id'>>;
}>;

export type UserResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  orders?: Resolver<ResolversTypes['OrderConnection'], ParentType, ContextType, RequireFields<UserOrdersArgs, 'first'>>;
}>;

export type Resolvers<ContextType = OrdersContext> = ResolversObject<{
  DateTime?: GraphQLScalarType;
  Dish?: DishResolvers<ContextType>;
  Money?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Order?: OrderResolvers<ContextType>;
  OrderConnection?: OrderConnectionResolvers<ContextType>;
  OrderEdge?: OrderEdgeResolvers<ContextType>;
  OrderItem?: OrderItemResolvers<ContextType>;
  OrderStatusChange?: OrderStatusChangeResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

