import { graphql } from '../gql';

graphql(`
  fragment MenuDish on Dish {
    id
    name
    description
    price
    quantity
    isAvailable
  }
`);

graphql(`
  fragment CustomerOrder on Order {
    id
    status
    total
    specialRequests
    createdAt
    updatedAt
    items {
      quantity
      price
      subtotal
      dish {
        id
        name
      }
    }
    statusHistory {
      status
      at
    }
  }
`);

export const MenuDocument = graphql(`
  query Menu {
    menu {
      ...MenuDish
    }
  }
`);

export const MenuUpdatesDocument = graphql(`
  subscription MenuUpdates {
    menuUpdates {
      ...MenuDish
    }
  }
`);

export const PlaceOrderDocument = graphql(`
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      ...CustomerOrder
    }
  }
`);

export const MyOrdersDocument = graphql(`
  query MyOrders {
    myOrders(first: 50) {
      totalCount
      edges {
        cursor
        node {
          ...CustomerOrder
        }
      }
    }
  }
`);

export const MyOrderUpdatesDocument = graphql(`
  subscription MyOrderUpdates {
    myOrderUpdates {
      ...CustomerOrder
    }
  }
`);

export const CancelMyOrderDocument = graphql(`
  mutation CancelMyOrder($id: ID!) {
    cancelOrder(id: $id) {
      ...CustomerOrder
    }
  }
`);
