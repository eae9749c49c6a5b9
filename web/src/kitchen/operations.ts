import { graphql } from '../gql';

graphql(`
  fragment KitchenOrder on Order {
    id
    status
    specialRequests
    createdAt
    updatedAt
    customer {
      id
      username
    }
    items {
      quantity
      dish {
        id
        name
      }
    }
  }
`);

/** One column of the board: a query of its own, as the API's cost limit allows one list of this size per query. */
export const KitchenColumnDocument = graphql(`
  query KitchenColumn($status: OrderStatus!) {
    orders(status: $status, first: 50) {
      totalCount
      edges {
        cursor
        node {
          ...KitchenOrder
        }
      }
    }
  }
`);

export const KitchenUpdatesDocument = graphql(`
  subscription KitchenUpdates {
    kitchenUpdates {
      ...KitchenOrder
    }
  }
`);

export const AdvanceOrderDocument = graphql(`
  mutation AdvanceOrder($id: ID!) {
    advanceOrder(id: $id) {
      ...KitchenOrder
    }
  }
`);

export const CancelKitchenOrderDocument = graphql(`
  mutation CancelKitchenOrder($id: ID!) {
    cancelOrder(id: $id) {
      ...KitchenOrder
    }
  }
`);
