Feature: Who may present in a meeting with Hosts and Guests
  Guide, "Sharing your screen, program or PowerPoint files with VMR participants or other
  endpoints". DESIGN §2 "Calls, media and content": guests_can_present (default true).

  Background:
    Given Parley runs the demo configuration
    And Alice uses Skype for Business
    And Bob uses Skype for Business

  Scenario: By default Guests may present
    Given Alice dials meet.alice**1234@example.com
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    When Bob shares his screen
    Then Bob is presenting
    And Alice sees "Alice's meeting room" is presenting

  Scenario: Where only Hosts may present, a Guest's share is refused
    Given the administrator lets only Hosts present in "Alice's meeting room"
    And Alice dials meet.alice**1234@example.com
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    When Bob shares his screen
    Then Bob is not presenting
    And Alice does not see content

  Scenario: Where only Hosts may present, the Host still can
    Given the administrator lets only Hosts present in "Alice's meeting room"
    And Alice dials meet.alice**1234@example.com
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    When Alice shares her screen
    Then Alice is presenting
    And Bob sees "Alice's meeting room" is presenting
