import { Anchor } from '@mantine/core';
import { PageTitle } from '../Layout';
import { Empty } from '../components/States';

export function NotFound() {
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <Empty title="There is nothing at this address">
        <Anchor href="#/">Go to the dashboard</Anchor>
      </Empty>
    </>
  );
}
